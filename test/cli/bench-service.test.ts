// `beats bench --service --json --quick` as a user runs it: a real process on the built package. It asserts that
// every section measured something and that the service answered every request; never a timing threshold.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/beats.js', import.meta.url).pathname;

function positive(value: unknown): void {
  expect(typeof value).toBe('number');
  expect(value).toBeGreaterThan(0);
}

describe('beats bench --service', () => {
  it('--json --quick reports positive figures for every section and no failed request', () => {
    const r = spawnSync(process.execPath, [BIN, 'bench', '--service', '--json', '--quick'], { encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);

    expect(report.quick).toBe(true);
    for (const key of ['cpu', 'node', 'v8', 'openssl']) expect(report.machine[key]).toEqual(expect.any(String));
    positive(report.machine.cores);

    const one = report.singleVerify;
    expect(one).toMatchObject({ beats: 1000, difficulty: 1000, k: 64, challengeWork: 65_536, runs: 3 });
    for (const step of ['verify', 'challengeDerivation', 'beatBatch', 'merklePaths', 'parse']) {
      positive(one[step].medianMs);
      positive(one[step].p90Ms);
      expect(one[step].samplesMs).toHaveLength(3);
    }
    positive(one.distinctBeats);
    positive(one.proofBytes);

    const pool = report.poolThroughput;
    for (const key of ['threads', 'concurrency', 'proofsPerSecond', 'proofsPerSecondPerThread', 'verified']) positive(pool[key]);
    positive(pool.latency.medianMs);

    const spot = report.spotCheckRate;
    for (const key of ['simdBeatsPerSecond', 'peerBeatsPerSecond', 'ratio']) positive(spot[key]);

    const http = report.http;
    for (const key of ['requests', 'requestsPerSecond', 'proofBytes', 'bodyBytes', 'sampled']) positive(http[key]);
    positive(http.latencyMs.p50);
    positive(http.latencyMs.p99);
    expect(http.non2xx).toBe(0);
    expect(http.errors).toBe(0);
    expect(http.timeouts).toBe(0);
    expect(http.validTrue).toBeGreaterThan(0);
    expect(http.sampledValid).toBe(http.sampled);
  }, 180_000);

  it('--quick without --service or --all is refused in one line, exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'bench', '--quick'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--quick/);
  });
});
