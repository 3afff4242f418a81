// Graceful drain on SIGTERM, on `beats serve`: a v2 verification in flight (its body still arriving) gets
// its 200 and receipt; a request pipelined behind it gets 503 SHUTTING_DOWN with `Connection: close`; a
// new connection is refused; then the process closes the pool and the database and exits 0.
import { afterEach, describe, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { buildProofV2 } from '../../shared/proof-v2/index.js';
import { Cluster, headOf, sleep } from './cluster.js';
import { collectUntilClose, openSocket } from '../helpers/raw-socket.js';

describe('SIGTERM drains beats serve', () => {
  let cluster: Cluster;
  afterEach(() => cluster.dispose());

  it('finishes the request in flight, refuses new ones, then stops', async () => {
    cluster = new Cluster({ ANCHOR_INTERVAL_MS: '60000' });
    const instance = await cluster.start('drained');
    const port = Number(new URL(instance.url).port);
    const proof = await buildProofV2({
      anchor: await headOf(instance.url), subject: 'ab'.repeat(32), beats: 4_000, difficulty: 100, mode: 'sampled',
      engine: proverEngine(await loadProver()),
    });
    const body = JSON.stringify({ work_proof: proof });

    const socket = await openSocket(port);
    const received = collectUntilClose(socket);
    socket.write(`POST /api/v1/beat/work-proof HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
    socket.write(body.slice(0, 1000));
    await sleep(200);

    instance.child.kill('SIGTERM');
    for (let i = 0; !instance.messages().some((m) => m.msg === 'shutting down'); i++) {
      if (i > 100) throw new Error('no "shutting down" line');
      await sleep(20);
    }
    await sleep(100);
    await expect(openSocket(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(instance.child.exitCode).toBeNull(); // still draining: the request in flight holds it open

    socket.write(body.slice(1000) + 'GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
    const answers = (await received).split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((a) => a.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 503 Service Unavailable']);
    const first = JSON.parse(answers[0].slice(answers[0].indexOf('\r\n\r\n') + 4));
    expect(first).toMatchObject({ valid: true, receipt: { beats_verified: 4_000, type: 'work_proof' } });
    expect(answers[1]).toMatch(/\r\nConnection: close\r\n/i);
    expect(answers[1]).toContain('"code":"SHUTTING_DOWN"');

    expect(await instance.exited).toBe(0);
    const messages = instance.messages().map((m) => m.msg);
    expect(messages.at(-1)).toBe('stopped');
  });
});
