import { beforeEach, expect, it } from 'vitest';
import { ReceiptRepository, type IssuedReceiptRecord } from '../../service/store/receipt-repository.js';
import { describeEachEngine } from '../helpers/engines.js';

const AGENT = '0x' + 'ab'.repeat(32);
const OTHER = '0x' + 'cd'.repeat(32);

function issued(id: string, subject: string | null = 'ab'.repeat(32)): IssuedReceiptRecord {
  return {
    receipt_id: id,
    kind: 'work_proof',
    subject,
    beats_verified: 5_000,
    difficulty: 1000,
    anchor_index: 42,
    mode: 'sampled',
    assurance: 'fs-64',
    kid: '0123456789abcdef',
    issued_at: 1_700_000_000_123,
  };
}

describeEachEngine('ReceiptRepository', (ctx) => {
  let repo: ReceiptRepository;

  beforeEach(async () => {
    await ctx.db.run('DELETE FROM consumed_receipts');
    await ctx.db.run('DELETE FROM issued_receipts');
    repo = new ReceiptRepository(ctx.db);
  });

  it('records an issued receipt once and reads it back', async () => {
    expect(await repo.recordIssued(issued('r1'))).toBe(true);
    expect(await repo.recordIssued(issued('r1'))).toBe(false);
    expect(await repo.recordIssued(issued('r2', null))).toBe(true);
    expect(await repo.getIssued('r1')).toEqual(issued('r1'));
    expect(await repo.getIssued('r2')).toEqual(issued('r2', null));
    expect(await repo.getIssued('missing')).toBeUndefined();
  });

  it('consumes a receipt exactly once', async () => {
    expect(await repo.isConsumed('r1')).toBe(false);
    expect(await repo.consume('r1', AGENT, 'resync', 5_000, 1_700_000_000_000)).toBe(true);
    expect(await repo.consume('r1', OTHER, 'spawn', 5_000)).toBe(false);
    expect(await repo.isConsumed('r1')).toBe(true);
    expect(await repo.getConsumed('r1')).toEqual({
      receipt_id: 'r1',
      agent_hash: AGENT,
      purpose: 'resync',
      beats: 5_000,
      consumed_at: 1_700_000_000_000,
    });
  });

  it('lets exactly one of 20 concurrent consumers of one receipt through', async () => {
    const attempts = Array.from({ length: 20 }, (_, i) => repo.consume('hot', i % 2 ? AGENT : OTHER, 'resync', 100));
    const results = await Promise.all(attempts);
    expect(results.filter(Boolean)).toHaveLength(1);
    const count = await ctx.db.one<{ c: number }>('SELECT COUNT(*) AS c FROM consumed_receipts');
    expect(count).toEqual({ c: 1 });
  });

  it('lets exactly one through when the consumers use separate handles (instances), in transactions', async () => {
    const other = await ctx.open();
    try {
      const handles = [ctx.db, other];
      const attempts = Array.from({ length: 20 }, (_, i) =>
        handles[i % 2].transaction(async (tx) => {
          const spent = await new ReceiptRepository(tx).consume('shared', AGENT, 'spawn', 100);
          // Work the receipt pays for would happen here, in the same transaction.
          await new Promise((resolve) => setTimeout(resolve, 2));
          return spent;
        }),
      );
      const results = await Promise.all(attempts);
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('un-spends a receipt when the transaction that consumed it rolls back', async () => {
    await expect(
      ctx.db.transaction(async (tx) => {
        expect(await new ReceiptRepository(tx).consume('r1', AGENT, 'resync', 100)).toBe(true);
        throw new Error('payment failed downstream');
      }),
    ).rejects.toThrow('payment failed downstream');
    expect(await repo.isConsumed('r1')).toBe(false);
    expect(await repo.consume('r1', AGENT, 'resync', 100)).toBe(true);
  });
});
