// `--probe`: does anything answer on each port right now? Connects to 127.0.0.1 only, never elsewhere.
import { Socket } from 'node:net';
import type { Inventory, Service } from './types.ts';

export function portAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** The port a process on this machine would answer on: the published one for compose services. */
function probePorts(s: Service): number[] {
  const ports = s.ports.map((p) => (s.kind === 'compose' ? (p.published?.port ?? null) : p.port)).filter((p): p is number => p !== null);
  return [...new Set(ports)];
}

export async function probeInventory(inv: Inventory): Promise<void> {
  const cache = new Map<number, Promise<boolean>>();
  const ask = (port: number) => {
    if (!cache.has(port)) cache.set(port, portAnswers(port));
    return cache.get(port) as Promise<boolean>;
  };
  await Promise.all(
    inv.services.map(async (s) => {
      const ports = probePorts(s);
      if (!ports.length) {
        s.status = 'no port';
        return;
      }
      const answers = await Promise.all(ports.map(ask));
      s.status = answers.some(Boolean) ? 'listening' : 'not listening';
    }),
  );
  inv.probed = true;
}
