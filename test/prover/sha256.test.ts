import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/hex.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import type { Prover } from '../../prover-wasm/src/prover.js';

const nist = JSON.parse(readFileSync(new URL('../vectors/sha256-nist.json', import.meta.url), 'utf8'));

for (const build of ['simd', 'scalar'] as const) {
  describe(`SHA-256 in the WASM core (${build} build)`, () => {
    let prover: Prover;
    beforeAll(async () => {
      prover = await loadProver({ build });
    });

    for (const v of nist.vectors) {
      it(`NIST: ${v.name}`, () => {
        expect(bytesToHex(prover.sha256(new TextEncoder().encode(v.utf8)))).toBe(v.digest);
      });
    }

    it('matches node:crypto at every length around the block and padding boundaries', () => {
      for (let len = 0; len <= 200; len++) {
        const data = Uint8Array.from({ length: len }, (_, i) => (i * 31 + len) & 0xff);
        expect(bytesToHex(prover.sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
      }
    });

    it('matches node:crypto on random messages', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 5000 }), (data) => {
          expect(bytesToHex(prover.sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
        }),
        { numRuns: 300 },
      );
    });

    it('iterates SHA-256 on 32-byte digests (SHA256^W), W = 0, 1 and 1000', () => {
      const start = createHash('sha256').update('start').digest();
      let h = Buffer.from(start);
      const expected: Record<number, string> = { 0: h.toString('hex') };
      for (let i = 1; i <= 1000; i++) {
        h = createHash('sha256').update(h).digest();
        if (i === 1 || i === 1000) expected[i] = h.toString('hex');
      }
      for (const w of [0, 1, 1000]) expect(bytesToHex(prover.sha256Iterate(new Uint8Array(start), w))).toBe(expected[w]);
    });
  });
}
