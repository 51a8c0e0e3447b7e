// A minimal valid backup set on disk, written the way run-backup writes one.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FORMAT, MANIFEST, MANIFEST_SUM, type Manifest, manifestSumText } from '../../scripts/lib/backup/manifest.ts';

export async function writeSet(backupDir: string, name: string, contents: Record<string, string> = { 'postgres.dump': 'PGDMP...', 'redis.rdb': 'REDIS0012...', 'memory.db': 'SQLite format 3\0...', 'config/.env': 'A=1\n' }): Promise<string> {
  const dir = path.join(backupDir, name);
  mkdirSync(path.join(dir, 'config'), { recursive: true });
  const files = Object.entries(contents).map(([file, text]) => {
    writeFileSync(path.join(dir, file), text);
    return { path: file, bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
  });
  const manifest: Manifest = {
    format: FORMAT,
    project: name.replace(/-\d{8}T\d{6}Z$/, ''),
    name,
    createdAt: new Date().toISOString(),
    durationSeconds: 1,
    host: 'test',
    encryption: 'none',
    tools: {},
    stores: { postgres: { file: 'postgres.dump', database: 'galaxy' }, redis: { file: 'redis.rdb' }, sqlite: { file: 'memory.db', tables: {} } },
    config: ['config/.env'],
    files,
    totalBytes: files.reduce((s, f) => s + f.bytes, 0),
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(path.join(dir, MANIFEST), text);
  writeFileSync(path.join(dir, MANIFEST_SUM), manifestSumText(text));
  return dir;
}
