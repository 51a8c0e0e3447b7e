// JSON lines on stdout: one object per line with time, level, service, msg and any extra fields.
import type { LogLevel } from './config.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export function createLogger(service: string, level: LogLevel = 'info', write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const emit = (lvl: LogLevel, msg: string, fields: Fields = {}) => {
    if (RANK[lvl] < RANK[level]) return;
    const record = { time: new Date().toISOString(), level: lvl, service, msg, ...fields };
    write(`${JSON.stringify(record, (_k, v) => (v instanceof Error ? v.message : v))}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
