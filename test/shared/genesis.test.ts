import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { GENESIS_PREFIX, genesisHash } from '../../shared/genesis.js';

describe('genesisHash (protocol A1)', () => {
  it('matches the peer vector for seed "test-agent"', () => {
    expect(genesisHash('test-agent')).toBe('447b93808b55f55e147d6cdbd43f1a2e390b73bc113fc33987a5287985673633');
  });

  it('hashes the UTF-8 of prefix + seed', () => {
    const seed = 'agent-✓';
    expect(genesisHash(seed)).toBe(createHash('sha256').update(GENESIS_PREFIX + seed, 'utf8').digest('hex'));
  });

  it('rejects a non-string seed', () => {
    expect(() => genesisHash(1 as unknown as string)).toThrow(TypeError);
  });
});
