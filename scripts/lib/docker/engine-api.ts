// The engine's own HTTP API on its local socket, for the reads that must be quick or run often
// (health, the start watcher): a `docker ps`, `docker inspect` or `compose logs` each start a CLI,
// which costs 0.1 to 0.5 s of CPU on a busy 2-core machine; the same answers over the socket take
// milliseconds. Used only where the CLI
// would talk to that same socket (no other DOCKER_HOST, no docker context chosen); any other setup,
// and any failure here, leaves the answer to the CLI (containers.ts), so this is only a shortcut.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { homedir } from 'node:os';
import path from 'node:path';
import { EngineSlow } from './client.ts';

/**
 * Pure: the local socket the CLI would use, or undefined when it would use something else (a TCP or
 * SSH host, a context other than "default"). `configText`: the CLI's config.json, when there is one.
 */
export function localEngineSocket(env: NodeJS.ProcessEnv, configText: string | undefined): string | undefined {
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== 'default') return undefined;
  if (env.DOCKER_HOST) return env.DOCKER_HOST.startsWith('unix://') ? env.DOCKER_HOST.slice('unix://'.length) : undefined;
  if (configText) {
    try {
      const context = (JSON.parse(configText) as { currentContext?: string }).currentContext;
      if (context && context !== 'default') return undefined;
    } catch {
      return undefined; // the CLI decides what an unreadable config means
    }
  }
  return '/var/run/docker.sock';
}

function cliConfig(): string | undefined {
  try {
    return readFileSync(path.join(process.env.DOCKER_CONFIG ?? path.join(homedir(), '.docker'), 'config.json'), 'utf8');
  } catch {
    return undefined; // no config: the default context
  }
}

/** GET on the engine's socket: the status and raw body; rejected when the socket fails or does not answer in time. */
function getRaw(socketPath: string, urlPath: string, timeoutMs: number): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ socketPath, path: urlPath, signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

async function get(socketPath: string, urlPath: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const { status, body } = await getRaw(socketPath, urlPath, timeoutMs);
  return { status, body: body.toString('utf8') };
}

function timedOut(err: unknown): boolean {
  return (err as { cause?: { name?: string } }).cause?.name === 'TimeoutError';
}

/**
 * `docker inspect` documents of every container of a compose project (stopped ones too, not
 * one-off `run` containers), newest first as `docker ps` lists them; undefined when the socket is
 * not the CLI's or did not answer as expected (the caller asks the CLI instead); EngineSlow when
 * it gave no answer within `timeoutMs`. With `services`, only theirs are inspected (the list
 * carries the labels): a deploy's wave needs its own few, not every one of a large system.
 */
export async function inspectProjectOverSocket(project: string, timeoutMs = 15_000, services?: ReadonlySet<string>): Promise<string | undefined> {
  const socketPath = localEngineSocket(process.env, cliConfig());
  if (!socketPath) return undefined;
  try {
    const filters = JSON.stringify({ label: [`com.docker.compose.project=${project}`, 'com.docker.compose.oneoff=False'] });
    const list = await get(socketPath, `/containers/json?all=1&filters=${encodeURIComponent(filters)}`, timeoutMs);
    if (list.status !== 200) return undefined;
    const ids = (JSON.parse(list.body) as Array<{ Id: string; Labels?: Record<string, string> | null }>)
      .filter((c) => !services || services.has(c.Labels?.['com.docker.compose.service'] ?? ''))
      .map((c) => c.Id);
    const docs = await Promise.all(ids.map((id) => get(socketPath, `/containers/${id}/json`, timeoutMs)));
    // A container removed since the list answers 404: left out, as compose ps would. Anything else: ask the CLI.
    if (docs.some((d) => d.status !== 200 && d.status !== 404)) return undefined;
    const found = docs.filter((d) => d.status === 200).map((d) => d.body);
    return `[${found.join(',')}]`;
  } catch (err) {
    // No answer in time: the engine is there but busy, and the CLI would wait as long again.
    if (timedOut(err)) throw new EngineSlow(`the Docker engine did not answer within ${timeoutMs / 1000} s on its socket`);
    return undefined;
  }
}

/**
 * Pure: the text of a container's log as the API sends it. Without a TTY each piece comes in a frame
 * (one byte for the stream, three zero bytes, a 4-byte big-endian size); with one, as plain text.
 */
export function logStreamText(body: Buffer): string {
  const pieces: Buffer[] = [];
  let at = 0;
  while (at + 8 <= body.length) {
    const framed = body[at] <= 2 && body[at + 1] === 0 && body[at + 2] === 0 && body[at + 3] === 0;
    if (!framed) return body.toString('utf8');
    const size = body.readUInt32BE(at + 4);
    pieces.push(body.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return at === 0 && body.length ? body.toString('utf8') : Buffer.concat(pieces).toString('utf8');
}

/**
 * The last `tail` lines a container wrote (stdout and stderr, in order) since `since`, as `docker
 * logs` prints them; undefined when the socket is not the CLI's or did not answer as expected.
 */
export async function containerLogsOverSocket(id: string, tail: number, since?: Date, timeoutMs = 15_000): Promise<string | undefined> {
  const socketPath = localEngineSocket(process.env, cliConfig());
  if (!socketPath) return undefined;
  // Seconds and nine digits of nanoseconds, as the CLI sends it.
  const sinceArg = since ? `&since=${Math.floor(since.getTime() / 1000)}.${String(since.getTime() % 1000).padStart(3, '0')}000000` : '';
  try {
    const logs = await getRaw(socketPath, `/containers/${encodeURIComponent(id)}/logs?stdout=1&stderr=1&tail=${tail}${sinceArg}`, timeoutMs);
    return logs.status === 200 ? logStreamText(logs.body) : undefined;
  } catch (err) {
    if (timedOut(err)) throw new EngineSlow(`the Docker engine did not answer within ${timeoutMs / 1000} s on its socket`);
    return undefined;
  }
}

/**
 * Per name, in order: its `docker image inspect` document, or undefined when there is no such
 * image; over the socket. Undefined as a whole when the socket is not the CLI's or did not answer as expected.
 */
export async function imageDocsOverSocket(names: string[], timeoutMs = 30_000): Promise<Array<string | undefined> | undefined> {
  const socketPath = localEngineSocket(process.env, cliConfig());
  if (!socketPath) return undefined;
  try {
    const docs = await Promise.all(names.map((name) => get(socketPath, `/images/${encodeURIComponent(name)}/json`, timeoutMs)));
    if (docs.some((d) => d.status !== 200 && d.status !== 404)) return undefined;
    return docs.map((d) => (d.status === 200 ? d.body : undefined));
  } catch {
    return undefined; // the CLI decides what a failing socket means
  }
}
