// Host-port preflight: a busy port is reported with the process that holds it.
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { $ } from 'zx/core';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Parses `ss -ltnpH` output into "name (pid N)" for the given port, if the line names a process. */
export function parseSsHolder(ssOutput: string, port: number): string | undefined {
  for (const line of ssOutput.split('\n')) {
    const local = line.trim().split(/\s+/)[3] ?? '';
    if (!local.endsWith(`:${port}`)) continue;
    const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    if (match) return `${match[1]} (pid ${match[2]})`;
  }
  return undefined;
}

export async function portHolder(port: number): Promise<string> {
  const out = await $`ss -ltnpH`.quiet().nothrow().timeout('5s');
  return (out.exitCode === 0 && parseSsHolder(out.stdout, port)) || 'an unknown process';
}

/** This machine's IPv4 addresses: where a port can be published besides 0.0.0.0. */
export function localIPv4Addresses(interfaces = networkInterfaces()): string[] {
  return Object.values(interfaces).flatMap((list) => (list ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address));
}
