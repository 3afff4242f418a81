import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { genesisHash } from '../../shared/genesis.js';
import { describeEachProver } from '../helpers/prover-engines.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/beat-vectors.json', import.meta.url), 'utf8'));

it('genesis of the protocol vector seed', () => {
  expect(genesisHash(vectors.genesis.seed)).toBe(vectors.genesis.hash);
});

describeEachProver('protocol A1 beat vectors', (engine) => {
  for (const v of vectors.beats) {
    it(v.name, async () => {
      expect(await engine().beat(v.prev, v.index, v.difficulty, v.anchorHash)).toBe(v.hash);
    });
  }

  it('a chain of two from genesis gives B1 then B2', async () => {
    expect(await engine().chain(vectors.genesis.hash, 0, 2, 10)).toEqual([vectors.beats[0].hash, vectors.beats[1].hash]);
  });

  it('a batch holds the vectors in any lane', async () => {
    const items = [vectors.beats[1], vectors.beats[0], vectors.beats[1], vectors.beats[0], vectors.beats[1]];
    expect(await engine().batch(items, 10)).toEqual(items.map((v) => v.hash));
  });
});
