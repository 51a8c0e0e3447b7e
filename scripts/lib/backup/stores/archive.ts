// Reads a tar archive's headers on the host, without unpacking anything: the volume kind checks
// every archive with this before restore stops a service. Only folders and regular files with
// plain relative names are accepted; a symbolic or hard link could make the unpacking write, or
// a later copy read, outside the volume it belongs to. Written for the ustar/pax/GNU headers GNU
// tar produces; anything it does not know is refused rather than guessed at.
import { closeSync, openSync, readSync } from 'node:fs';

const BLOCK = 512;

export interface ArchiveFacts {
  /** Regular files in the archive. */
  files: number;
}

function text(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

/** A numeric header field: octal text, or GNU's base-256 for values too large for it. */
function number(block: Buffer, start: number, length: number): number {
  const raw = block.subarray(start, start + length);
  if (raw[0] & 0x80) {
    let value = raw[0] & 0x7f;
    for (const byte of raw.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const digits = text(block, start, length).trim();
  return /^[0-7]+$/.test(digits) ? parseInt(digits, 8) : NaN;
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum === number(block, 148, 8);
}

/** pax records ("<len> key=value\n"); only the keys that change a name or link matter here. */
function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString());
    if (space < 0 || !Number.isSafeInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return records;
}

/** Why an entry name may not be unpacked, or undefined: relative, no '..', no NUL. */
export function entryNameProblem(name: string): string | undefined {
  if (name === '' || name.includes('\0')) return 'an entry without a usable name';
  if (name.startsWith('/')) return `${JSON.stringify(name).slice(0, 80)} is absolute`;
  if (name.split('/').includes('..')) return `${JSON.stringify(name).slice(0, 80)} leaves the archive's folder ('..')`;
  return undefined;
}

const KIND_NAMES: Record<string, string> = { '1': 'a hard link', '2': 'a symbolic link', '3': 'a device', '4': 'a device', '6': 'a FIFO' };

/** Every header of the archive checked; the facts, or the first reason to refuse it. */
export function inspectArchive(file: string): ArchiveFacts | { problem: string } {
  const fd = openSync(file, 'r');
  const read = (position: number, length: number): Buffer => {
    const buffer = Buffer.alloc(length);
    const got = readSync(fd, buffer, 0, length, position);
    return got === length ? buffer : buffer.subarray(0, got);
  };
  try {
    let position = 0;
    let files = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    for (;;) {
      const block = read(position, BLOCK);
      if (block.length < BLOCK) return { problem: 'the archive ends without its end marker (truncated)' };
      if (block.every((b) => b === 0)) return { files };
      if (!checksumOk(block)) return { problem: `a header at byte ${position} is damaged` };
      const size = number(block, 124, 12);
      if (!Number.isSafeInteger(size) || size < 0) return { problem: `a header at byte ${position} has no valid size` };
      const type = String.fromCharCode(block[156] || 0x30);
      const dataAt = position + BLOCK;
      position = dataAt + Math.ceil(size / BLOCK) * BLOCK;
      // Headers that describe the next entry: its long name or pax attributes.
      if (type === 'L' || type === 'x' || type === 'g' || type === 'K') {
        if (size > 1 << 20) return { problem: `an extended header at byte ${dataAt - BLOCK} is implausibly large` };
        const data = read(dataAt, size);
        if (type === 'L') longName = text(data, 0, data.length);
        if (type === 'x') pax = { ...pax, ...paxRecords(data) };
        if (type === 'g' && 'path' in paxRecords(data)) return { problem: 'a global header renames every entry' };
        continue;
      }
      const prefix = text(block, 257, 6).startsWith('ustar') ? text(block, 345, 155) : '';
      const name = pax.path ?? longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
      longName = undefined;
      pax = {};
      const problem = entryNameProblem(name);
      if (problem) return { problem };
      if (KIND_NAMES[type]) return { problem: `${JSON.stringify(name).slice(0, 80)} is ${KIND_NAMES[type]}` };
      if (type === '0' || type === '7') files++;
      else if (type !== '5') return { problem: `${JSON.stringify(name).slice(0, 80)} has entry type '${type}', which restore does not unpack` };
    }
  } finally {
    closeSync(fd);
  }
}
