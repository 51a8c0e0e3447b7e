// The kernel's TCP table of one network namespace (/proc/<pid>/net/tcp and tcp6), parsed (pure).
// Read from the host for any container, it shows who talks to whom without sending a packet and
// without any tool inside the image, whatever language or proxy the service is written in.

export type TcpState =
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT1'
  | 'FIN_WAIT2'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'NEW_SYN_RECV';

const STATES: Record<string, TcpState> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'NEW_SYN_RECV',
};

export interface Endpoint {
  ip: string;
  port: number;
}

export interface TcpSocket {
  local: Endpoint;
  remote: Endpoint;
  state: TcpState;
}

/** One 32-bit word of /proc's hex address: host byte order (little-endian on x86 and arm64). */
function wordBytes(hex: string): number[] {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** `0100007F:0BB8` -> 127.0.0.1:3000; IPv6 v4-mapped addresses come back as IPv4. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const [addr, port] = text.split(':');
  if (!addr || !port || !/^[0-9A-Fa-f]+$/.test(addr) || !/^[0-9A-Fa-f]{4}$/.test(port)) return undefined;
  let ip: string;
  if (addr.length === 8) {
    ip = wordBytes(addr).join('.');
  } else if (addr.length === 32) {
    const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(addr.slice(i, i + 8)));
    const v4mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
    if (v4mapped) ip = bytes.slice(12).join('.');
    else {
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
      ip = groups.join(':');
    }
  } else return undefined;
  return { ip, port: Number.parseInt(port, 16) };
}

/** Every socket line of a /proc/net/tcp or tcp6 file; the header and malformed lines are skipped. */
export function parseTcpTable(text: string): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || !fields[0].endsWith(':')) continue;
    const local = parseEndpoint(fields[1]);
    const remote = parseEndpoint(fields[2]);
    const state = STATES[fields[3].toUpperCase()];
    if (local && remote && state) sockets.push({ local, remote, state });
  }
  return sockets;
}

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '0:0:0:0:0:0:0:1';
}

/** A connection between a client and a server port, whoever's table it was read from. */
export interface Connection {
  client: Endpoint;
  server: Endpoint;
  state: TcpState;
}

/**
 * The connections to `servers` (ip:port) found in any of the tables, each once: the same
 * connection appears in both peers' tables, and after a close only the side that closed first
 * keeps it (TIME_WAIT, 60 s), so reading both sides misses none of the last minute's.
 */
export function connectionsTo(tables: TcpSocket[][], servers: Endpoint[]): Connection[] {
  const isServer = (e: Endpoint) => servers.some((s) => s.ip === e.ip && s.port === e.port);
  const found = new Map<string, Connection>();
  for (const table of tables) {
    for (const s of table) {
      if (s.state === 'LISTEN') continue;
      let conn: Connection | undefined;
      if (isServer(s.local)) conn = { client: s.remote, server: s.local, state: s.state };
      else if (isServer(s.remote)) conn = { client: s.local, server: s.remote, state: s.state };
      if (!conn) continue;
      const key = `${conn.client.ip}:${conn.client.port}>${conn.server.ip}:${conn.server.port}`;
      // The live state wins over a lingering TIME_WAIT of the same 4-tuple.
      if (!found.has(key) || found.get(key)?.state === 'TIME_WAIT') found.set(key, conn);
    }
  }
  return [...found.values()];
}

/** Key of one connection (client side): stable across samples while the connection exists. */
export function connectionKey(c: Connection): string {
  return `${c.client.ip}:${c.client.port}>${c.server.ip}:${c.server.port}`;
}

/** Requests still being served: established connections from outside the container's own loopback. */
export function inFlight(connections: Connection[]): number {
  return connections.filter((c) => !isLoopback(c.client.ip) && (c.state === 'ESTABLISHED' || c.state === 'SYN_RECV' || c.state === 'NEW_SYN_RECV')).length;
}
