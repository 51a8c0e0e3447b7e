// Which compose logging blocks reach the stack's log store (docs/LOGS.md): Docker's syslog driver,
// sending over UDP to this machine, where the store's published port is. The one test of it, for
// make logs (which services to read from the store) and make adopt (which block adopted services copy).

export interface LoggingBlock {
  driver?: string;
  options?: Record<string, unknown>;
}

export function sendsToStore(logging: LoggingBlock | undefined): boolean {
  const address = logging?.options?.['syslog-address'];
  return logging?.driver === 'syslog' && typeof address === 'string' && address.startsWith('udp://127.0.0.1:');
}
