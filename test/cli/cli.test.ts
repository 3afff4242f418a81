// The `beats` command line as a user runs it: a real process on the built package.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { referenceBeat } from '../helpers/reference-beat.js';

const BIN = new URL('../../bin/beats.js', import.meta.url).pathname;
const G = '447b93808b55f55e147d6cdbd43f1a2e390b73bc113fc33987a5287985673633';

function beats(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

describe('beats CLI', () => {
  it('genesis --seed prints the genesis hash', () => {
    expect(beats('genesis', '--seed', 'test-agent')).toEqual({ code: 0, out: G, err: '' });
  });

  it('beat prints one beat, with anchor and a non-ASCII nonce', () => {
    expect(beats('beat', '--prev', G, '--index', '1', '--difficulty', '10').out).toBe('e01885259b469c8e4e50b91247ba767ff0db983a45070ca696307d8e7a320ab2');
    const r = beats('beat', '--prev', G, '--index', '9007199254740991', '--difficulty', '3', '--anchor-hash', 'a'.repeat(64), '--nonce', 'née ✓');
    expect(r).toEqual({ code: 0, out: referenceBeat(G, 9007199254740991, 3, 'a'.repeat(64), 'née ✓'), err: '' });
  });

  it('chain prints the last hash; --json gives to_hash, beats, iterations and ns_per_iteration', () => {
    expect(beats('chain', '--from', G, '--beats', '2', '--difficulty', '10').out).toBe('93149e32d73362cc20af6e7834a6cb37095f9848ebc93193ce12ce9abd6e5a7b');
    const r = beats('chain', '--from', G, '--start-index', '0', '--beats', '50', '--difficulty', '20', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    let h = G;
    for (let i = 1; i <= 50; i++) h = referenceBeat(h, i, 20);
    expect(json).toMatchObject({ from_hash: G, start_index: 0, to_hash: h, beats: 50, difficulty: 20, iterations: 50 * 21 });
    expect(json.ns_per_iteration).toBeGreaterThan(0);
  });

  it('--start-index is the index of --from: the first beat computed is start+1', () => {
    const r = beats('chain', '--from', G, '--start-index', '41', '--beats', '1', '--difficulty', '5');
    expect(r.out).toBe(referenceBeat(G, 42, 5));
  });

  it('bench --json reports every method with medians and ratios', () => {
    const r = beats('bench', '--json', '--repeats', '1', '--target-ms', '5');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.rows.map((row: { id: string }) => row.id)).toEqual([
      'wasm-chain', 'peer-createhash', 'node-hash', 'wasm-simd-batch', 'wasm-scalar-batch', 'wasm-iterate-bin',
    ]);
    for (const row of report.rows) expect(row.nsPerIteration).toBeGreaterThan(0);
    expect(Object.keys(report.ratios)).toEqual(expect.arrayContaining(['prover_vs_peer', 'prover_vs_node_hash', 'simd_lane_vs_peer']));
    expect(report.machine.simd).toBe(true);
  });

  it.each([
    [['beat', '--prev', 'xyz', '--index', '1', '--difficulty', '10'], /--prev must be 64 lowercase hex/],
    [['beat', '--prev', G, '--index', '-1', '--difficulty', '10'], /--index/],
    [['beat', '--prev', G, '--index', '1'], /--difficulty is required/],
    [['beat', '--prev', G, '--index', '1', '--difficulty', '1e3'], /--difficulty must be an integer/],
    [['beat', '--prev', G, '--index', '9007199254740992', '--difficulty', '1'], /--index/],
    [['chain', '--from', G, '--beats', '0', '--difficulty', '1'], /--beats/],
    [['chain', '--from', G, '--beats', '1', '--difficulty', '1', '--anchor-hash', 'A'.repeat(64)], /--anchor-hash/],
    [['genesis'], /--seed is required/],
    [['genesis', '--seed', 'x', 'extra'], /unexpected argument|Unexpected argument/],
    [['beat', '--bogus'], /Unknown option/],
    [['bench', '--repeats', 'many'], /--repeats/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('bad input %j: one line on stderr, exit 2, nothing on stdout', (args, message) => {
    const r = beats(...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
  });

  it('keygen prints a fresh 64-hex seed each time', () => {
    const a = beats('keygen');
    const b = beats('keygen');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^[0-9a-f]{64}$/);
    expect(b.out).not.toBe(a.out);
  });

  it('help lists every command and exits 0; no command prints usage and exits 2', () => {
    const help = beats('help');
    expect(help.code).toBe(0);
    for (const c of ['serve', 'genesis', 'beat', 'chain', 'bench', 'keygen']) expect(help.out).toContain(`beats ${c}`);
    expect(beats().code).toBe(2);
  });
});
