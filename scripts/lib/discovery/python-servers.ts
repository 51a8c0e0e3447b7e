// The Python server calls discovery recognises, with where each takes its host and port and the
// server's own defaults: a table, kept apart from the reading code in python.ts.

export interface CallSpec {
  re: RegExp;
  framework: string;
  /** Positional index of host and port, or -1; keyword names are `host` and `port`. */
  hostAt: number;
  portAt: number;
  /** The server's own defaults when the call leaves them out. */
  defaultHost: string;
  defaultPort: number | null;
  /** Arguments are a `(host, port)` tuple at this position. */
  tupleAt?: number;
  /** Only in files importing this (a bare `serve(` means nothing on its own). */
  requires?: RegExp;
}

export const CALLS: CallSpec[] = [
  { re: /\buvicorn\.run\s*\(/g, framework: 'uvicorn', hostAt: -1, portAt: -1, defaultHost: '127.0.0.1', defaultPort: 8000 },
  { re: /\bweb\.run_app\s*\(/g, framework: 'aiohttp', hostAt: -1, portAt: -1, defaultHost: '0.0.0.0', defaultPort: 8080 },
  {
    re: /\b(?:waitress\.)?serve\s*\(\s*\w+\s*,/g,
    framework: 'waitress',
    hostAt: -1,
    portAt: -1,
    defaultHost: '0.0.0.0',
    defaultPort: 8080,
    requires: /^\s*(?:from|import)\s+waitress\b/m,
  },
  {
    re: /\b(?:Threading)?(?:HTTP|TCP|UDP)Server\s*\(/g,
    framework: 'http.server',
    hostAt: -1,
    portAt: -1,
    defaultHost: '0.0.0.0',
    defaultPort: null,
    tupleAt: 0,
  },
  { re: /\bmake_server\s*\(/g, framework: 'wsgiref', hostAt: 0, portAt: 1, defaultHost: '0.0.0.0', defaultPort: null },
  { re: /\bwebsockets\.(?:server\.)?serve\s*\(/g, framework: 'websockets', hostAt: 1, portAt: 2, defaultHost: '0.0.0.0', defaultPort: null },
  {
    re: /(?<![\w.])serve\s*\(\s*\w+\s*,/g,
    framework: 'websockets',
    hostAt: 1,
    portAt: 2,
    defaultHost: '0.0.0.0',
    defaultPort: null,
    requires: /^\s*from\s+websockets[\w.]*\s+import\s+[^\n]*\bserve\b/m,
  },
  { re: /\basyncio\.start_server\s*\(/g, framework: 'asyncio', hostAt: 1, portAt: 2, defaultHost: '0.0.0.0', defaultPort: null },
];
