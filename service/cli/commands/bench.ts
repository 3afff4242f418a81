// beats bench [--json] [--repeats N] [--target-ms M] [--native BIN] [--service] [--registry] [--quick] [--all]: the
// prover's side-by-side table by default; --service the service benchmark (issue 3); --registry the registry
// benchmark (issue 4); --all all three, the prover's first. --quick shrinks the service and registry benchmarks.
import { createRequire } from 'node:module';
import { describeMachine } from '../../../prover-wasm/src/bench-stats.js';
import { runBenchmark, type BenchmarkReport } from '../../../prover-wasm/src/benchmark.js';
import { loadProver } from '../../../prover-wasm/src/load-node.js';
import { runRegistryBenchmark, type RegistryBenchmarkReport } from '../../bench/registry-benchmark.js';
import { runServiceBenchmark, type ServiceBenchmarkReport } from '../../bench/service-benchmark.js';
import { CliError } from '../cli-error.js';
import { parseFlags, readInteger } from '../options.js';

/** Runs the benchmark(s) and prints tables (or JSON: the one report, or `{prover, service, registry}` for several). */
export async function benchCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, {
    json: { type: 'boolean' }, repeats: { type: 'string' }, 'target-ms': { type: 'string' }, native: { type: 'string' },
    service: { type: 'boolean' }, registry: { type: 'boolean' }, all: { type: 'boolean' }, quick: { type: 'boolean' },
  });
  const repeats = readInteger(flags, 'repeats', 1, 101, 7);
  const targetMs = readInteger(flags, 'target-ms', 1, 10_000, 150);
  const nativeBinary = typeof flags.native === 'string' ? flags.native : undefined;
  const withService = flags.all === true || flags.service === true;
  const withRegistry = flags.all === true || flags.registry === true;
  const withProver = flags.all === true || (!withService && !withRegistry);
  if (flags.quick && !withService && !withRegistry) {
    throw new CliError('--quick shrinks the service and registry benchmarks: add --service, --registry or --all');
  }

  const prover = await loadProver();
  const proverReport = withProver ? runBenchmark({ prover, repeats, targetMs, nativeBinary }) : undefined;
  // Progress goes to a terminal only, so that stdout stays the tables or the JSON.
  const onStep = process.stderr.isTTY ? (step: string) => process.stderr.write(`bench: ${step}\n`) : undefined;
  const quick = flags.quick === true;
  const serviceReport = withService ? await runServiceBenchmark({ prover, quick, onStep }) : undefined;
  const registryReport = withRegistry ? await runRegistryBenchmark({ machine: describeMachine(prover.hasSimd), quick, onStep }) : undefined;

  if (flags.json) {
    const reports = { prover: proverReport, service: serviceReport, registry: registryReport };
    const present = Object.entries(reports).filter(([, report]) => report !== undefined);
    return out(JSON.stringify(present.length === 1 ? present[0][1] : Object.fromEntries(present), null, 2));
  }
  const sections = [
    proverReport ? renderTable(proverReport, repeats) : undefined,
    serviceReport ? renderServiceTables(serviceReport) : undefined,
    registryReport ? renderRegistryTables(registryReport) : undefined,
  ].filter((lines) => lines !== undefined);
  sections.forEach((lines, i) => {
    if (i > 0) out('');
    for (const line of lines) out(line);
  });
}

/** The report as a Markdown table, with the machine and versions above it. */
export function renderTable(report: BenchmarkReport, repeats: number): string[] {
  const m = report.machine;
  const peer = report.rows.find((r) => r.id === 'peer-createhash')?.nsPerIteration;
  const native = report.rows.find((r) => r.id === 'native-shani-hex')?.nsPerIteration;
  const lines = [
    machineLine(m),
    `Medians of ${repeats} samples per method, methods interleaved in one run; ns per SHA-256 iteration of the beat formula.`,
    '',
    `| method | ns/iter | vs peer loop${native ? ' | vs native SHA-NI' : ''} |`,
    `| --- | ---: | ---: |${native ? ' ---: |' : ''}`,
  ];
  for (const row of report.rows) {
    const cells = [row.method, row.nsPerIteration.toFixed(1), peer ? (row.nsPerIteration / peer).toFixed(3) : ''];
    if (native) cells.push((row.nsPerIteration / native).toFixed(2));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('', 'Ratios: ' + Object.entries(report.ratios).map(([k, v]) => `${k} = ${v}`).join(', '));
  return lines;
}

/** The service report as one Markdown table per section, with the machine and versions above them. */
export function renderServiceTables(report: ServiceBenchmarkReport): string[] {
  const { singleVerify: one, poolThroughput: pool, spotCheckRate: spot, http, settings } = report;
  const ms = (v: number) => v.toFixed(2);
  const parts = [one.challengeDerivation, one.beatBatch, one.merklePaths, one.parse];
  const oneWorkerRate = 1000 / one.verify.medianMs;
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  return [
    machineLine(report.machine),
    `Service benchmark${report.quick ? ' (--quick: reduced sizes, not for comparison)' : ''}, all sections in one run.`,
    '',
    '### 1. v2 verification on one worker',
    '',
    `verifyProofV2 of one \`sampled\` proof, N = ${grouped(one.beats)}, d = ${grouped(one.difficulty)}, k = ${one.k}, ` +
      `W = ${grouped(one.challengeWork)} (${one.distinctBeats} distinct beats, ${one.auditPaths} audit paths, ` +
      `${grouped(one.proofBytes)} bytes of JSON), engine = pool of 1 worker; ${one.runs} runs, each part also timed alone in every round.`,
    '',
    '| step | median ms | p90 ms | target |',
    '| --- | ---: | ---: | --- |',
    `| **verifyProofV2, whole** | **${ms(one.verify.medianMs)}** | **${ms(one.verify.p90Ms)}** | ≤ ${one.targetMs} ms: ${met(one.verify.medianMs <= one.targetMs)} |`,
    `| challenge derivation: SHA256^${grouped(one.challengeWork)} (engine.iterate, worker) | ${ms(one.challengeDerivation.medianMs)} | ${ms(one.challengeDerivation.p90Ms)} | |`,
    `| beat batch: ${one.distinctBeats} beats × ${grouped(one.difficulty + 1)} SHA-256 (engine.batch, worker, ${report.machine.simd ? 'SIMD' : 'scalar'}) | ${ms(one.beatBatch.medianMs)} | ${ms(one.beatBatch.p90Ms)} | |`,
    `| Merkle paths: ${one.auditPaths} audit paths (main thread, Node's SHA-256) | ${ms(one.merklePaths.medianMs)} | ${ms(one.merklePaths.p90Ms)} | |`,
    `| parseProofV2 (main thread, zod) | ${ms(one.parse.medianMs)} | ${ms(one.parse.p90Ms)} | |`,
    `| sum of the parts' medians | ${ms(parts.reduce((sum, p) => sum + p.medianMs, 0))} | | |`,
    '',
    '### 2. v2 proofs per second, whole pool',
    '',
    `The same proof, ${pool.concurrency} verifications kept in flight on a pool of ${pool.threads} workers; median of ${pool.windows} consecutive ` +
      `window${pool.windows === 1 ? '' : 's'} of ${(pool.windowMs / 1000).toFixed(1)} s (${pool.verified} verifications in all).`,
    '',
    '| workers | in flight | proofs/s | per worker | latency p50 ms | p99 ms | 1 worker, one at a time (1000 / §1 median) | scaling |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${pool.threads} | ${pool.concurrency} | **${pool.proofsPerSecond.toFixed(1)}** | ${pool.proofsPerSecondPerThread.toFixed(1)} | ` +
      `${ms(pool.latency.medianMs)} | ${ms(pool.latency.p99Ms)} | ${oneWorkerRate.toFixed(1)} | ${(pool.proofsPerSecond / oneWorkerRate).toFixed(2)}× |`,
    '',
    `### 3. Spot-check verification rate per core (d = ${grouped(spot.difficulty)})`,
    '',
    `The proof's first ${spot.beatsPerCall} distinct checked beats recomputed and compared, ${spot.beatsPerCall} per call; ` +
      `medians of ${spot.repeats} samples of ~${settings.spotTargetMs} ms per method, interleaved.`,
    '',
    '| method | beats/s | vs peer | target |',
    '| --- | ---: | ---: | --- |',
    `| **WASM batch, ${report.machine.simd ? '4 SIMD lanes' : 'scalar (no SIMD build)'}, one worker** | **${Math.round(spot.simdBeatsPerSecond)}** | ` +
      `**${spot.ratio.toFixed(2)}×** | ≥ ${spot.targetRatio}×: ${met(spot.ratio >= spot.targetRatio)} |`,
    `| peer: createHash('sha256').update(s).digest('hex') loop, this thread | ${Math.round(spot.peerBeatsPerSecond)} | 1.00× | |`,
    '',
    `### 4. HTTP: POST ${http.path}`,
    '',
    `The service in this process (startService: SQLite, ${http.proverThreads} prover threads, rate limits off); autocannon in a worker thread, ` +
      `${http.connections} connections for ${http.durationS.toFixed(1)} s, bodies rotating over ${http.proofs} valid \`sampled\` proofs ` +
      `(N = ${grouped(http.beats)}, d = ${grouped(http.difficulty)}, k = ${http.k}; proof ${grouped(http.proofBytes)} bytes, body ${grouped(http.bodyBytes)} bytes).`,
    '',
    '| requests | req/s | latency p50 ms | p90 ms | p99 ms | non-2xx | errors + timeouts | answered valid:true | sampled receipts checked |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${http.requests} | **${http.requestsPerSecond.toFixed(1)}** | ${http.latencyMs.p50} | ${http.latencyMs.p90} | ${http.latencyMs.p99} | ` +
      `${http.non2xx} | ${http.errors + http.timeouts} | ${http.validTrue} | ${http.sampledValid} / ${http.sampled} |`,
  ];
}

/** The registry report as one Markdown table per section, with the machine and the engines' versions above them. */
export function renderRegistryTables(report: RegistryBenchmarkReport): string[] {
  const { machine: m, engines, settings, targets } = report;
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  const lines = [
    `Machine: ${m.cpu}, ${m.cores} cores; Node ${m.node} (V8 ${m.v8}); SQLite ${engines.sqlite} (better-sqlite3 ${engines.betterSqlite3}, ` +
      `WAL, synchronous=FULL); PostgreSQL ${engines.postgres ?? 'unavailable'} (${engines.postgresUrl}, private schema).`,
    `Registry benchmark${report.quick ? ' (--quick: reduced sizes, not for comparison)' : ''}, all sections in one run, RATE_LIMITS=off, LOG_LEVEL=silent.`,
    '',
    '### 1. Heartbeats: POST /api/v1/agent/heartbeat',
    '',
    'The service in this process (startService on a fresh store of each engine); autocannon in a worker thread, ' +
      `${settings.connections} connections, each request sent as the next agent, so every request is that agent's first heartbeat ` +
      'at the current anchor (root agents with a SIGIL and an initialized chain, inserted as register, admin/sigil and init store them; ' +
      'every answer checked: ok, its agent, total_heartbeats 1). ' +
      `A warm-up round of ${grouped(settings.warmupAgents)} heartbeats first, then a round sized for ~${settings.targetS} s.`,
    '',
    '| engine | heartbeats | s | heartbeats/s | p50 ms | p90 ms | p99 ms | non-2xx | errors + timeouts | first heartbeats checked | target |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of report.heartbeats) {
    if (!row.available) {
      lines.push(`| ${row.engine} | unavailable: ${row.reason} | | | | | | | | | |`);
      continue;
    }
    const ok = row.requestsPerSecond >= targets.heartbeatsPerSecond && row.latencyMs.p99 <= targets.heartbeatP99Ms;
    lines.push(
      `| ${row.engine} | ${grouped(row.requests)} | ${row.durationS.toFixed(2)} | **${Math.round(row.requestsPerSecond)}** | ${row.latencyMs.p50} | ` +
        `${row.latencyMs.p90} | ${row.latencyMs.p99} | ${row.non2xx} | ${row.errors + row.timeouts} | ${grouped(row.firstHeartbeats)} / ${grouped(row.requests)} | ` +
        `${row.engine === 'sqlite' ? `≥ ${grouped(targets.heartbeatsPerSecond)}/s, p99 ≤ ${targets.heartbeatP99Ms} ms: ${met(ok)}` : ''} |`,
    );
  }
  lines.push(
    '',
    `### 2. Dead man's switch: one sweep over ${grouped(settings.sweepAgents)} agents`,
    '',
    `${grouped(settings.sweepAgents)} initialized agents, ${settings.overduePercent} % of them more than 60 anchors behind (the others 0 to 60); ` +
      "the registry's DeadMansSwitch.sweep at the current anchor (one UPDATE … RETURNING and the freezes INSERT, one transaction), " +
      `the agents re-armed between runs; median of ${settings.sweepRuns} runs. Then a second sweep at the same anchor, with nothing overdue: ` +
      "every anchor's cost in the steady state.",
    '',
    '| engine | agents | frozen per sweep (expected) | sweep median ms | max ms | nothing overdue, median ms | target |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const row of report.sweeps) {
    if (!row.available) {
      lines.push(`| ${row.engine} | unavailable: ${row.reason} | | | | | |`);
      continue;
    }
    const frozen = [...new Set(row.frozen)].map(grouped).join(', ');
    lines.push(
      `| ${row.engine}${row.analyzed ? ' (after ANALYZE)' : ''} | ${grouped(row.agents)} | ${frozen} (${grouped(row.expectedFrozen)}) | ` +
        `**${row.sweep.medianMs.toFixed(1)}** | ${row.sweep.maxMs.toFixed(1)} | ${row.idleSweep.medianMs.toFixed(2)} | ` +
        `< ${grouped(targets.sweepMs)} ms: ${met(row.sweep.medianMs < targets.sweepMs)} |`,
    );
  }
  lines.push(
    '',
    '### 3. Heartbeats through one and two instances on one PostgreSQL database',
    '',
    'Each row: fresh database, that many `beats serve` processes on it (LOG_LEVEL=warn, PROVER_THREADS=1), agents inserted as in ' +
      `section 1, autocannon's ${settings.connections} connections spread over the instances in turn, a warm-up round, then a round ` +
      'sized for ~' + `${settings.targetS} s. CPU: what each part used during the measured round, in cores (1.00 = one core busy ` +
      'throughout), from /proc, and the same as CPU milliseconds per heartbeat; "machine" is everything busy (the parts, the kernel, ' +
      'anything else), against the machine\'s cores: near them, the run was CPU-bound.',
    '',
    '| instances | heartbeats | s | heartbeats/s | p50 ms | p99 ms | non-2xx | errors + timeouts | CPU cores: instances | PostgreSQL | load generator | machine / cores | CPU ms per heartbeat: instances | PostgreSQL | machine |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of report.instances) {
    if (!row.available) {
      lines.push(`| — | unavailable: ${row.reason} | | | | | | | | | | | | | |`);
      continue;
    }
    const cpu = row.cpuCores;
    const instanceCores = Object.entries(cpu).filter(([name]) => name.startsWith('instance')).map(([, c]) => c);
    const perHeartbeat = (cores: number) => ((cores / row.requestsPerSecond) * 1000).toFixed(2);
    lines.push(
      `| ${row.instances} | ${grouped(row.requests)} | ${row.durationS.toFixed(2)} | **${Math.round(row.requestsPerSecond)}** | ${row.latencyMs.p50} | ` +
        `${row.latencyMs.p99} | ${row.non2xx} | ${row.errors + row.timeouts} | ${instanceCores.map((c) => c.toFixed(2)).join(' + ')} | ` +
        `${(cpu.postgres ?? 0).toFixed(2)} | ${(cpu['load generator'] ?? 0).toFixed(2)} | ${row.machineBusyCores.toFixed(2)} / ${row.machineCores} | ` +
        `${perHeartbeat(instanceCores.reduce((a, b) => a + b, 0))} | ${perHeartbeat(cpu.postgres ?? 0)} | ${perHeartbeat(row.machineBusyCores)} |`,
    );
  }
  return lines;
}

function machineLine(m: BenchmarkReport['machine']): string {
  const version = createRequire(import.meta.url)('assemblyscript/package.json').version as string;
  return `Machine: ${m.cpu}, ${m.cores} cores; Node ${m.node} (V8 ${m.v8}, OpenSSL ${m.openssl}); AssemblyScript ${version}; SIMD build: ${m.simd ? 'yes' : 'no'}.`;
}

/** 10000 → "10 000", the README's way of writing large numbers. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}
