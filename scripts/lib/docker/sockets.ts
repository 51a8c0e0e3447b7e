// A running container's socket tables (/proc/<pid>/net/tcp, udp and their v6 twins), read from the
// host through the pid of its network namespace: who listens and who talks to whom, without a
// request sent and without any tool inside the image. Parsing is tcp-table.ts's (UDP has the same
// columns). Undefined wherever the host cannot read them (an engine in a VM, rootless Docker).
import { readFileSync } from 'node:fs';
import { type TcpSocket, isLoopback, parseTcpTable } from './tcp-table.ts';

export type SocketProtocol = 'tcp' | 'udp';

/** The socket table of a running container's network namespace, or undefined when the host cannot read it. */
export function readTable(pid: number, protocol: SocketProtocol = 'tcp'): TcpSocket[] | undefined {
  if (!pid) return undefined;
  try {
    const v4 = readFileSync(`/proc/${pid}/net/${protocol}`, 'utf8');
    let v6 = '';
    try {
      v6 = readFileSync(`/proc/${pid}/net/${protocol}6`, 'utf8');
    } catch {
      /* IPv6 disabled in the namespace */
    }
    return parseTcpTable(`${v4}\n${v6}`);
  } catch {
    return undefined; // exited since inspect, or the engine runs elsewhere (VM, rootless)
  }
}

/**
 * Pure: whether a table has a socket ready for others on `port`: a TCP socket listening, or a UDP
 * socket bound (UDP has no listen state: a bound socket shows as state 07, CLOSE), not on loopback.
 */
export function receivesOn(table: TcpSocket[], port: number, protocol: SocketProtocol): boolean {
  const state = protocol === 'tcp' ? 'LISTEN' : 'CLOSE';
  return table.some((s) => s.local.port === port && s.state === state && !isLoopback(s.local.ip));
}
