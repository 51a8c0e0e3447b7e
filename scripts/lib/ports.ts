// Host-port preflight: a busy port is reported with the process that holds it.
import dgram from 'node:dgram';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { $ } from 'zx/core';

export function isPortFree(port: number, host = '127.0.0.1', protocol: 'tcp' | 'udp' = 'tcp'): Promise<boolean> {
  if (protocol === 'udp')
    return new Promise((resolve) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind({ port, address: host, exclusive: true }, () => socket.close(() => resolve(true)));
    });
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Parses `ss -ltnpH` (or `ss -lunpH`) output into "name (pid N)" for the given port, if the line names a process. */
export function parseSsHolder(ssOutput: string, port: number): string | undefined {
  for (const line of ssOutput.split('\n')) {
    const local = line.trim().split(/\s+/)[3] ?? '';
    if (!local.endsWith(`:${port}`)) continue;
    const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    if (match) return `${match[1]} (pid ${match[2]})`;
  }
  return undefined;
}

export async function portHolder(port: number, protocol: 'tcp' | 'udp' = 'tcp'): Promise<string> {
  const out = await (protocol === 'udp' ? $`ss -lunpH` : $`ss -ltnpH`).quiet().nothrow().timeout('5s');
  return (out.exitCode === 0 && parseSsHolder(out.stdout, port)) || 'an unknown process';
}

/** This machine's IPv4 addresses: where a port can be published besides 0.0.0.0. */
export function localIPv4Addresses(interfaces = networkInterfaces()): string[] {
  return Object.values(interfaces).flatMap((list) => (list ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address));
}
