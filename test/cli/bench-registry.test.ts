// `beats bench --registry --json --quick` as a user runs it: a real process on the built package. It asserts that
// every section measured something, that every heartbeat was accepted as its agent's first and that every sweep
// froze exactly the overdue agents; never a timing threshold. PostgreSQL rows may say "unavailable" outside CI.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/beats.js', import.meta.url).pathname;
const IN_CI = process.env.CI === 'true';

function positive(value: unknown): void {
  expect(typeof value).toBe('number');
  expect(value).toBeGreaterThan(0);
}

/** A row of the report as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

/** The rows of `rows` that were measured, after checking that only PostgreSQL (outside CI) may be missing. */
function measured(rows: Row[]): Row[] {
  expect(rows.map((r) => r.engine)).toEqual(['sqlite', 'postgres']);
  for (const row of rows) {
    if (row.available) continue;
    expect(row.engine === 'postgres' && !IN_CI, JSON.stringify(row)).toBe(true);
    expect(row.reason).toEqual(expect.any(String));
  }
  expect(rows[0].available).toBe(true);
  return rows.filter((r) => r.available);
}

describe('beats bench --registry', () => {
  it('--json --quick reports positive figures, no refused heartbeat and exactly the overdue agents frozen', () => {
    const r = spawnSync(process.execPath, [BIN, 'bench', '--registry', '--json', '--quick'], { encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);

    expect(report.quick).toBe(true);
    for (const key of ['cpu', 'node', 'v8']) expect(report.machine[key]).toEqual(expect.any(String));
    positive(report.machine.cores);
    expect(report.engines.sqlite).toMatch(/^3\./);
    expect(report.settings.connections).toBe(16);

    for (const row of measured(report.heartbeats)) {
      for (const key of ['agents', 'requests', 'requestsPerSecond', 'durationS']) positive(row[key]);
      expect(row.anchorIndex).toBeGreaterThanOrEqual(0);
      positive(row.warmup.requestsPerSecond);
      expect(row.warmup.non2xx).toBe(0);
      positive(row.latencyMs.p99);
      expect(row.latencyMs.p50).toBeGreaterThanOrEqual(0);
      expect(row.requests).toBe(row.agents);
      expect(row.non2xx).toBe(0);
      expect(row.errors).toBe(0);
      expect(row.timeouts).toBe(0);
      // Every answer is the first heartbeat of the agent it was sent as, and no agent was used twice.
      expect(row.firstHeartbeats).toBe(row.requests);
      expect(row.distinctAgents).toBe(row.requests);
      expect(row.rejected).toEqual([]);
    }

    for (const row of measured(report.sweeps)) {
      expect(row.agents).toBe(report.settings.sweepAgents);
      expect(row.expectedFrozen).toBe(row.agents * (report.settings.overduePercent / 100));
      expect(row.frozen).toEqual(Array(report.settings.sweepRuns).fill(row.expectedFrozen));
      expect(row.freezeRecords).toEqual(row.frozen);
      positive(row.sweep.medianMs);
      expect(row.sweep.samplesMs).toHaveLength(report.settings.sweepRuns);
      expect(row.idleSweep.samplesMs).toHaveLength(report.settings.sweepRuns);
    }

    // Section 3: one row per instance count on PostgreSQL, or one row saying why not (outside CI only).
    const instances = report.instances as Row[];
    if (instances.length === 1 && !instances[0].available) {
      expect(IN_CI, JSON.stringify(instances[0])).toBe(false);
    } else {
      expect(instances.map((r) => r.instances)).toEqual(report.settings.instanceCounts);
      for (const row of instances) {
        expect(row.requests).toBe(row.agents);
        expect([row.non2xx, row.errors, row.timeouts]).toEqual([0, 0, 0]);
        expect(row.firstHeartbeats).toBe(row.requests);
        expect(row.distinctAgents).toBe(row.requests);
        positive(row.requestsPerSecond);
        // CPU of every part, each instance by name, and of the whole machine.
        expect(Object.keys(row.cpuCores).sort()).toEqual(
          [...Array.from({ length: row.instances }, (_, i) => `instance ${i + 1}`), 'load generator', 'postgres'].sort(),
        );
        for (const cores of Object.values(row.cpuCores)) positive(cores);
        positive(row.machineBusyCores);
        expect(row.machineCores).toBe(report.machine.cores);
      }
    }
  }, 240_000);

  it('--quick without --service, --registry or --all is refused in one line naming --registry, exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'bench', '--quick', '--repeats', '1'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--registry/);
  });
});
