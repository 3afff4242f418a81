import { beforeEach, expect, it } from 'vitest';
import { KeyRepository, type SigningKeyRecord } from '../../service/store/key-repository.js';
import { describeEachEngine } from '../helpers/engines.js';

function key(kid: string, use: SigningKeyRecord['use'], validFrom: number): SigningKeyRecord {
  return {
    kid,
    use,
    public_key_hex: kid.repeat(4),
    derivation: use === 'anchor' ? 'beats:anchor:v1' : 'beats:work-proof:v1',
    valid_from: validFrom,
    valid_until: null,
  };
}

describeEachEngine('KeyRepository', (ctx) => {
  let repo: KeyRepository;

  beforeEach(async () => {
    await ctx.db.run('DELETE FROM signing_keys');
    repo = new KeyRepository(ctx.db);
  });

  it('inserts keys once and lists them oldest first', async () => {
    const a = key('aaaaaaaaaaaaaaaa', 'anchor', 2_000);
    const w = key('bbbbbbbbbbbbbbbb', 'work_proof', 1_000);
    expect(await repo.insert(a)).toBe(true);
    expect(await repo.insert(w)).toBe(true);
    expect(await repo.insert({ ...a, public_key_hex: 'ff'.repeat(32) })).toBe(false);
    expect(await repo.list()).toEqual([w, a]);
    expect(await repo.get(a.kid)).toEqual(a);
    expect(await repo.get('cccccccccccccccc')).toBeUndefined();
  });

  it('closes the validity of a key once', async () => {
    const a = key('aaaaaaaaaaaaaaaa', 'anchor', 1_000);
    await repo.insert(a);
    expect(await repo.closeValidity(a.kid, 5_000)).toBe(true);
    expect(await repo.closeValidity(a.kid, 9_000)).toBe(false);
    expect(await repo.closeValidity('unknown', 9_000)).toBe(false);
    expect(await repo.get(a.kid)).toEqual({ ...a, valid_until: 5_000 });
  });

  it('refuses a use other than anchor or work_proof', async () => {
    const bad = { ...key('dddddddddddddddd', 'anchor', 1), use: 'timestamp' } as unknown as SigningKeyRecord;
    await expect(repo.insert(bad)).rejects.toThrow();
  });
});
