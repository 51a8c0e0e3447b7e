// A bounded HTTP load generator for deploy and failure tests: a few workers sending GETs to one
// 127.0.0.1 URL until stopped, or until a request count or time limit is reached, whichever first.
// Every failure (non-2xx, refused, reset, timeout) is counted and a few are kept as examples.

export interface LoadResult {
  total: number;
  failed: number;
  seconds: number;
  /** Response bodies' `version` field, counted: which versions served during the run. */
  versions: Record<string, number>;
  failures: string[];
  /** The slowest request's time in ms (answered or not): how close the run came to the timeout. */
  slowestMs: number;
}

export interface LoadOptions {
  url: string;
  concurrency?: number;
  maxRequests?: number;
  maxSeconds?: number;
  timeoutMs?: number;
  /**
   * Requests per second for all workers together. Paced on purpose: an unpaced loop saturates a
   * 2-core machine, and then the containers' own health checks time out, which measures the
   * machine's exhaustion instead of the deploy.
   */
  ratePerSecond?: number;
}

export interface Load {
  stop(): Promise<LoadResult>;
  /** Requests sent so far (to wait for a minimum before acting). */
  readonly sent: number;
}

export function startLoad(options: LoadOptions): Load {
  const url = new URL(options.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`load is only ever sent to 127.0.0.1, not ${url.hostname}`);
  const concurrency = options.concurrency ?? 8;
  const maxRequests = options.maxRequests ?? 50_000;
  const maxMs = (options.maxSeconds ?? 300) * 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = performance.now();
  const result: LoadResult = { total: 0, failed: 0, seconds: 0, versions: {}, failures: [], slowestMs: 0 };
  const rate = options.ratePerSecond ?? 150;
  let scheduled = 0;
  let stopping = false;
  const fail = (why: string) => {
    result.failed++;
    if (result.failures.length < 10) result.failures.push(`${new Date().toISOString()} ${why}`);
  };
  const worker = async () => {
    while (!stopping && result.total < maxRequests && performance.now() - started < maxMs) {
      const due = started + (scheduled++ * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (stopping) break;
      result.total++;
      const sent = performance.now();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        const text = await response.text();
        if (!response.ok) {
          fail(`HTTP ${response.status}: ${text.slice(0, 120)}`);
          continue;
        }
        try {
          const version = String((JSON.parse(text) as { version?: unknown }).version ?? '?');
          result.versions[version] = (result.versions[version] ?? 0) + 1;
        } catch {
          result.versions['?'] = (result.versions['?'] ?? 0) + 1;
        }
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        fail(`${(err as Error).name}${cause ? ` ${cause}` : ''}: ${(err as Error).message} after ${Math.round(performance.now() - sent)} ms`);
      } finally {
        result.slowestMs = Math.max(result.slowestMs, performance.now() - sent);
      }
    }
  };
  const workers = Array.from({ length: concurrency }, () => worker());
  return {
    get sent() {
      return result.total;
    },
    async stop() {
      stopping = true;
      await Promise.all(workers);
      result.seconds = (performance.now() - started) / 1000;
      return result;
    },
  };
}

/** Waits until `sent` reaches `count` (bounded by `maxSeconds`). */
export async function waitForRequests(load: Load, count: number, maxSeconds = 60): Promise<void> {
  const deadline = performance.now() + maxSeconds * 1000;
  while (load.sent < count && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
