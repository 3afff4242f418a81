// The SDK's one HTTP helper: JSON in and out, a timeout, typed errors, and retries of 503 after
// `Retry-After` (bounded), for any fetch-capable runtime (Node 20, browsers).
import { BeatsApiError } from './errors.js';

/** Options shared by the SDK's clients. */
export interface HttpOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** How many times a 503 is retried after its Retry-After (default 3). */
  retries503?: number;
}

/** A JSON request; resolves with the parsed body of a 2xx answer, else throws BeatsApiError. */
export async function requestJson<T>(
  options: HttpOptions,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<T> {
  const doFetch = options.fetch ?? fetch;
  const retries = options.retries503 ?? 3;
  for (let attempt = 0; ; attempt++) {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const response = await doFetch(`${options.baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal,
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: text.slice(0, 200) };
    }
    if (response.ok) return body as T;
    const retryAfterMs = retryHint(response, body);
    if (response.status === 503 && attempt < retries) {
      await sleep(retryAfterMs ?? 1000, init.signal);
      continue;
    }
    throw new BeatsApiError(response.status, typeof body.code === 'string' ? body.code : `HTTP_${response.status}`, typeof body.error === 'string' ? body.error : response.statusText, body, retryAfterMs);
  }
}

function retryHint(response: Response, body: Record<string, unknown>): number | undefined {
  if (typeof body.retry_after_ms === 'number') return body.retry_after_ms;
  const header = Number(response.headers.get('retry-after'));
  return Number.isFinite(header) && header > 0 ? header * 1000 : undefined;
}

/** Waits `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
