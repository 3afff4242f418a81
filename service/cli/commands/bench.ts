// beats bench [--json] [--repeats N] [--target-ms M] [--native BIN]: the side-by-side table.
import { createRequire } from 'node:module';
import { runBenchmark, type BenchmarkReport } from '../../../prover-wasm/src/benchmark.js';
import { loadProver } from '../../../prover-wasm/src/load-node.js';
import { parseFlags, readInteger } from '../options.js';

/** Runs the benchmark and prints a table (or JSON). */
export async function benchCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, {
    json: { type: 'boolean' }, repeats: { type: 'string' }, 'target-ms': { type: 'string' }, native: { type: 'string' },
  });
  const repeats = readInteger(flags, 'repeats', 1, 101, 7);
  const targetMs = readInteger(flags, 'target-ms', 1, 10_000, 150);
  const nativeBinary = typeof flags.native === 'string' ? flags.native : undefined;
  const report = runBenchmark({ prover: await loadProver(), repeats, targetMs, nativeBinary });
  if (flags.json) return out(JSON.stringify(report, null, 2));
  for (const line of renderTable(report, repeats)) out(line);
}

/** The report as a Markdown table, with the machine and versions above it. */
export function renderTable(report: BenchmarkReport, repeats: number): string[] {
  const m = report.machine;
  const version = createRequire(import.meta.url)('assemblyscript/package.json').version as string;
  const peer = report.rows.find((r) => r.id === 'peer-createhash')?.nsPerIteration;
  const native = report.rows.find((r) => r.id === 'native-shani-hex')?.nsPerIteration;
  const lines = [
    `Machine: ${m.cpu}, ${m.cores} cores; Node ${m.node} (V8 ${m.v8}, OpenSSL ${m.openssl}); AssemblyScript ${version}; SIMD build: ${m.simd ? 'yes' : 'no'}.`,
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
