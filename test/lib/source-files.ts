// The TypeScript files under a folder, for tests that read the sources themselves.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? tsFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}
