// `beats serve` in processes of its own, as an operator runs several instances: each gets the environment it
// is given and a free port, and is ready once GET /api/health answers (whatever LOG_LEVEL says). For benchmarks;
// the production tests keep their own harness (test/production/cluster.ts), which records every log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A running `beats serve`. */
export interface ServiceProcess {
  pid: number;
  url: string;
  child: ChildProcess;
  /** SIGTERM (a graceful drain), then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** The CLI entry, from sources or from dist/. */
function binFile(): string {
  const here = new URL(import.meta.url);
  return new URL(here.pathname.endsWith('.ts') ? '../../bin/beats.js' : '../../../bin/beats.js', here).pathname;
}

/** A port free on 127.0.0.1 a moment ago (the kernel's pick). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `beats serve` with `env` (over this process's environment) and resolves once it answers /api/health. */
export async function startServiceProcess(env: Record<string, string>, readyTimeoutMs = 30_000): Promise<ServiceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [binFile(), 'serve'], {
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', (code) => {
    exitCode = code;
    resolve();
  }));
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`beats serve exited (${exitCode}) before answering: ${stderr.join('').slice(-2000)}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`beats serve did not answer /api/health within ${readyTimeoutMs} ms: ${stderr.join('').slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    pid: child.pid!, url, child,
    async stop(graceMs = 10_000) {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
    },
  };
}
