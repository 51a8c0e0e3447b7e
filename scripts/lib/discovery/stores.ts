// Data stores and external APIs: from dependency URLs, imported packages, SQLite calls and images.
import { DATASTORE_PACKAGES, EXTERNAL_ENV, EXTERNAL_PACKAGES } from './catalog.ts';
import { isDatastoreImage } from './assemble.ts';
import { balanced, lineAt, splitArgs } from './text.ts';
import type { Datastore, Dependency, ExternalApi, Service, SourceFile } from './types.ts';

function addUse<T extends { users: string[] }>(map: Map<string, T>, key: string, make: () => T, user: string | null): void {
  const entry = map.get(key) ?? make();
  if (user && !entry.users.includes(user)) entry.users.push(user);
  map.set(key, entry);
}

/** Where a package is imported (`from 'pg'`, `import pg`), for a precise reference. */
function importSite(pkg: string, files: string[], byRel: Map<string, SourceFile>): { file: string | null; line: number } {
  const re = new RegExp(`(?:from\\s+|require\\(\\s*|import\\s+)['"]?${pkg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?:['"/]|\\b)`);
  for (const rel of files) {
    const f = byRel.get(rel);
    const m = f ? re.exec(f.text) : null;
    if (f && m) return { file: rel, line: lineAt(f.text, m.index) };
  }
  return { file: null, line: 1 };
}

export function findStores(
  services: Service[],
  deps: Dependency[],
  files: SourceFile[],
  seen: string[],
  ownerOf: (rel: string) => string | null,
): { datastores: Datastore[]; externalApis: ExternalApi[] } {
  const byRel = new Map(files.map((f) => [f.rel, f]));
  const stores = new Map<string, Datastore>();
  const apis = new Map<string, ExternalApi>();
  const names = new Set(services.map((s) => s.name));
  for (const d of deps) {
    const user = names.has(d.from) ? d.from : null;
    if (d.kind === 'datastore' && d.name)
      addUse(stores, d.name, () => ({ type: d.name as string, evidence: d.target, file: d.file, line: d.line, users: [] }), user);
    if (d.kind === 'external' && d.name)
      addUse(apis, d.name, () => ({ name: d.name as string, evidence: d.target, file: d.file, line: d.line, users: [] }), user);
  }
  for (const s of services) {
    const image = s.kind === 'compose' ? isDatastoreImage(s.image) : null;
    if (image) addUse(stores, image, () => ({ type: image, evidence: `compose service ${s.name} (${s.image})`, file: s.entry, line: 1, users: [] }), null);
    for (const pkg of [...s.dependencies.imported, ...s.dependencies.declared]) {
      const store = DATASTORE_PACKAGES[pkg];
      const api = EXTERNAL_PACKAGES[pkg];
      if (!store && !api) continue;
      const at = importSite(pkg, s.files, byRel);
      if (store) addUse(stores, store, () => ({ type: store, evidence: `package ${pkg}`, file: at.file ?? s.entry, line: at.line, users: [] }), s.name);
      if (api) addUse(apis, api, () => ({ name: api, evidence: `package ${pkg}`, file: at.file ?? s.entry, line: at.line, users: [] }), s.name);
    }
  }
  // An API key variable names the API even when the client is plain HTTP.
  for (const s of services) {
    for (const env of s.env) {
      const api = EXTERNAL_ENV.find(([re]) => re.test(env))?.[1];
      if (api) addUse(apis, api, () => ({ name: api, evidence: `env ${env}`, file: s.entry, line: 1, users: [] }), s.name);
    }
  }
  // SQLite: a connect call names the database file (kept as written: a literal or a variable).
  for (const f of files) {
    if (f.isTest) continue;
    for (const m of f.text.matchAll(/\bsqlite3\.connect\(|new\s+(?:sqlite3\.)?Database\(/g)) {
      const arg = splitArgs(balanced(f.text, (m.index ?? 0) + m[0].length - 1) ?? '')[0] ?? '';
      const owner = ownerOf(f.rel);
      addUse(
        stores,
        'SQLite',
        () => ({ type: 'SQLite', evidence: `${m[0].slice(0, -1)}(${arg})`, file: f.rel, line: lineAt(f.text, m.index ?? 0), users: [] }),
        owner,
      );
    }
  }
  for (const rel of seen) {
    if (/\.(db|sqlite3?)$/.test(rel))
      addUse(stores, 'SQLite', () => ({ type: 'SQLite', evidence: `database file ${rel} in the tree`, file: rel, line: 1, users: [] }), null);
  }
  const sortUsers = <T extends { users: string[] }>(list: T[]) => list.map((x) => ({ ...x, users: x.users.sort() }));
  return {
    datastores: sortUsers([...stores.values()].sort((a, b) => a.type.localeCompare(b.type))),
    externalApis: sortUsers([...apis.values()].sort((a, b) => a.name.localeCompare(b.name))),
  };
}
