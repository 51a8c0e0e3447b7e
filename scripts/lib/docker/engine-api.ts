// The engine's own HTTP API on its local socket, for the one read that must be quick (health):
// a `docker ps` and a `docker inspect` each start the CLI, which costs 0.1 to 0.4 s on a busy
// 2-core machine; the same two answers over the socket take milliseconds. Used only where the CLI
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

/** GET on the engine's socket: the status and body; rejected when the socket fails or does not answer in time. */
function get(socketPath: string, urlPath: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ socketPath, path: urlPath, signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/**
 * `docker inspect` documents of every container of a compose project (stopped ones too, not
 * one-off `run` containers), newest first as `docker ps` lists them; undefined when the socket is
 * not the CLI's or did not answer as expected (the caller asks the CLI instead); EngineSlow when
 * it gave no answer within `timeoutMs`.
 */
export async function inspectProjectOverSocket(project: string, timeoutMs = 15_000): Promise<string | undefined> {
  const socketPath = localEngineSocket(process.env, cliConfig());
  if (!socketPath) return undefined;
  try {
    const filters = JSON.stringify({ label: [`com.docker.compose.project=${project}`, 'com.docker.compose.oneoff=False'] });
    const list = await get(socketPath, `/containers/json?all=1&filters=${encodeURIComponent(filters)}`, timeoutMs);
    if (list.status !== 200) return undefined;
    const ids = (JSON.parse(list.body) as Array<{ Id: string }>).map((c) => c.Id);
    const docs = await Promise.all(ids.map((id) => get(socketPath, `/containers/${id}/json`, timeoutMs)));
    // A container removed since the list answers 404: left out, as compose ps would. Anything else: ask the CLI.
    if (docs.some((d) => d.status !== 200 && d.status !== 404)) return undefined;
    const found = docs.filter((d) => d.status === 200).map((d) => d.body);
    return `[${found.join(',')}]`;
  } catch (err) {
    // No answer in time: the engine is there but busy, and the CLI would wait as long again.
    if ((err as { cause?: { name?: string } }).cause?.name === 'TimeoutError')
      throw new EngineSlow(`the Docker engine did not answer within ${timeoutMs / 1000} s on its socket`);
    return undefined;
  }
}
