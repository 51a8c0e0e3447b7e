// One GET with node's own http client. Not fetch: node loads and compiles its fetch (undici) on the
// first call, 0.1 to 0.3 s on a busy machine, which a health check felt on every run.
import http from 'node:http';
import https from 'node:https';

/** The status of a GET of `url` once its body is read; an error when no answer came within `timeoutMs`. */
export function httpGet(url: string, { timeoutMs, headers = {} }: { timeoutMs: number; headers?: Record<string, string> }): Promise<number> {
  const client = new URL(url).protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    // agent: false: one connection, closed after the answer, so nothing keeps the process alive.
    const request = client.get(url, { headers, agent: false, signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}
