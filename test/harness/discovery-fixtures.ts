// Fixture repositories for the discovery tests and bench: small messy systems written to a temp dir.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function makeRepo(files: Record<string, string>, prefix = 'discover-'): string {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  return root;
}

/** A system with the classic problems: every case named in the issue appears once. */
export const MESSY_SYSTEM: Record<string, string> = {
  'README.md': 'The API runs on port 9999 at http://localhost:9999 (outdated).\n',
  '.env': 'SECRET_KEY=s3cr3t-value-123\nDATABASE_URL=postgres://app:hunter2@db:5432/app\nFLASK_DEBUG=1\n',
  'api/package.json': JSON.stringify(
    { name: 'api', main: 'server.js', scripts: { start: 'node server.js' }, dependencies: { express: '^4.19.0', redis: '^4.6.0' } },
    null,
    2,
  ),
  'api/server.js': [
    "const express = require('express');",
    "const { createClient } = require('redis');",
    '',
    '// app.listen(4000) in a comment is not a service',
    'const PORT = process.env.PORT || 3000;',
    "const MEMORY_URL = process.env.MEMORY_URL || 'http://127.0.0.1:37778';",
    "const redis = createClient({ url: process.env.REDIS_URL || 'redis://redis:6379' });",
    'const app = express();',
    "app.get('/health', (req, res) => res.json({ status: 'ok' }));",
    "app.get('/memories', async (req, res) => res.json(await (await fetch(`${MEMORY_URL}/items`)).json()));",
    'app.listen(PORT, () => console.log(`listening on ${PORT}`));',
    '',
  ].join('\n'),
  'admin/admin.js': [
    "const http = require('http');",
    "const server = http.createServer((req, res) => { res.end('admin'); });",
    "server.listen(3000, '0.0.0.0');",
    '',
  ].join('\n'),
  'memory/memory.py': [
    'import os',
    'import sqlite3',
    'from http.server import BaseHTTPRequestHandler, HTTPServer',
    '',
    'PORT = int(os.environ.get("MEMORY_PORT", "37778"))',
    'DB = sqlite3.connect(os.environ.get("MEMORY_DB", "memory.db"))',
    '',
    'class Handler(BaseHTTPRequestHandler):',
    '    def do_GET(self):',
    '        if self.path == "/health":',
    '            self.send_response(200)',
    '            self.end_headers()',
    '',
    'if __name__ == "__main__":',
    '    HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()',
    '',
  ].join('\n'),
  'experience/app.py': [
    'import os',
    'import requests',
    'from flask import Flask',
    '',
    'app = Flask(__name__)',
    'MEMORY_API = os.environ.get("MEMORY_API_URL", "http://localhost:37778")',
    'GEMINI_KEY = os.environ.get("GEMINI_API_KEY")',
    '',
    '@app.route("/patterns")',
    'def patterns():',
    '    return requests.get(MEMORY_API + "/items").json()',
    '',
    'if __name__ == "__main__":',
    '    app.run(port=int(os.environ.get("PORT", "5556")), debug=True)',
    '',
  ].join('\n'),
  'experience/requirements.txt': 'flask==3.0.0\nrequests>=2\n',
  'start-all.sh': [
    '#!/usr/bin/env bash',
    'set -e',
    'cd "$(dirname "$0")"',
    '(cd api && npm start) &',
    '/usr/local/bin/python3.11 memory/memory.py &',
    'python3 experience/app.py &',
    'wait',
    '',
  ].join('\n'),
  'legacy/main.go': ['package main', '', 'import "net/http"', '', 'func main() {', '\thttp.ListenAndServe(":8090", nil)', '}', ''].join('\n'),
};

/**
 * A 2,000-file repository: a few services among many ordinary modules, plus skipped folders
 * (node_modules, .git, a virtual environment) that must not be read.
 */
export function largeRepoFiles(total = 2000): Record<string, string> {
  const files: Record<string, string> = {
    'svc-a/package.json': JSON.stringify({ name: 'svc-a', scripts: { start: 'node src/index.js' } }),
    'svc-a/src/index.js':
      "const http = require('node:http');\nconst port = Number(process.env.A_PORT ?? 4100);\nhttp.createServer((q, s) => s.end(q.url === '/health' ? 'ok' : '')).listen(port);\n",
    'svc-b/main.py':
      'import os\nfrom http.server import ThreadingHTTPServer, BaseHTTPRequestHandler\nPORT = int(os.getenv("B_PORT", "4200"))\n# calls svc-a\nA = os.getenv("A_URL", "http://127.0.0.1:4100")\nif __name__ == "__main__":\n    ThreadingHTTPServer(("0.0.0.0", PORT), BaseHTTPRequestHandler).serve_forever()\n',
  };
  let n = Object.keys(files).length;
  for (let i = 0; n < total; i++) {
    const pkg = `lib${i % 40}`;
    if (i % 3 === 0)
      files[`svc-a/src/${pkg}/mod${i}.js`] =
        `// module ${i}\nexport function f${i}(x) {\n  return x * ${i} + ${'1'.repeat(3)};\n}\n${'const pad = "'.concat('x'.repeat(200), '";\n').repeat(10)}`;
    else if (i % 3 === 1)
      files[`svc-b/${pkg}/mod${i}.py`] =
        `"""module ${i}"""\nimport json\n\n\ndef f${i}(x):\n    return json.dumps({"v": x * ${i}})\n${'PAD = "'.concat('y'.repeat(200), '"\n').repeat(10)}`;
    else if (i % 9 === 2) files[`docs/page${i}.md`] = `# Page ${i}\nSee http://localhost:9${String(i).padStart(3, '0')}\n`;
    else files[`svc-a/node_modules/dep${i}/index.js`] = "require('http').createServer().listen(1234);\n";
    n++;
  }
  files['.venv/pyvenv.cfg'] = 'home = /usr/bin\n';
  files['.venv/lib/site.py'] = 'from flask import Flask\napp = Flask(__name__)\napp.run(port=1)\n';
  files['.git/config'] = '[core]\n';
  return files;
}

const pyCopy = (name: string, portEnv: string, port: number) =>
  [
    '"""' + name + ': answers pattern queries."""',
    'import os',
    'import sys',
    'sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "shared"))',
    'from netlib import serve',
    '',
    'ROUTES = {}',
    '',
    'def route(path):',
    '    def wrap(fn):',
    '        ROUTES[path] = fn',
    '        return fn',
    '    return wrap',
    '',
    '@route("/health")',
    'def health():',
    '    return {"status": "ok"}',
    '',
    '@route("/patterns")',
    'def patterns():',
    '    return {"items": []}',
    '',
    'def main():',
    `    return serve(ROUTES, os.environ.get("HOST", "0.0.0.0"), int(os.getenv("${portEnv}", "${port}")))`,
    '',
    'if __name__ == "__main__":',
    '    sys.exit(main())',
    '',
  ].join('\n');

/** Containers, compose, a static site, TypeScript built to dist/, shared Python helpers, copies. */
export const CONTAINER_SYSTEM: Record<string, string> = {
  'docker-compose.yml': [
    'services:',
    '  api:',
    '    build: ./api',
    '    ports:',
    '      - "127.0.0.1:${API_PORT:-3000}:3000"',
    '    environment:',
    '      DATABASE_URL: postgres://app@db:5432/app',
    '    depends_on: [db]',
    '  web:',
    '    build: ./web',
    '    ports: ["3000:8080"]',
    '  db:',
    '    image: postgres:17',
    '',
  ].join('\n'),
  'api/package.json': JSON.stringify({
    name: '@acme/api',
    main: 'dist/main.js',
    scripts: { start: 'node dist/main.js' },
    dependencies: { fastify: '^5.0.0', pg: '^8.0.0' },
  }),
  'api/src/config.ts': [
    'export function loadConfig(env = process.env) {',
    '  return {',
    '    port: Number(env.PORT ?? 3000),',
    "    host: env.HOST ?? '0.0.0.0',",
    "    databaseUrl: env.DATABASE_URL ?? 'postgres://app@localhost:5432/app',",
    '  };',
    '}',
    '',
  ].join('\n'),
  'api/src/main.ts': [
    "import Fastify from 'fastify';",
    "import { loadConfig } from './config.js';",
    'const cfg = loadConfig();',
    'const app = Fastify();',
    "app.get('/health', async () => ({ status: 'ok' }));",
    'await app.listen({ port: cfg.port, host: cfg.host });',
    '',
  ].join('\n'),
  'api/dist/main.js': "require('http').createServer().listen(1111);\n",
  'api/node_modules/fastify/index.js': "require('http').createServer().listen(2222);\n",
  'api/Dockerfile':
    'FROM node:20\nWORKDIR /app\nCOPY . .\nENV PORT=3000\nEXPOSE ${PORT}\nHEALTHCHECK CMD node -e "fetch(\'http://127.0.0.1:3000/health\')"\nCMD ["node", "dist/main.js"]\n',
  'web/public/index.html': '<!doctype html><title>web</title><script src="app.js"></script>\n',
  'web/public/app.js': "fetch('/api/notes');\n",
  'web/nginx.conf': 'server {\n    listen 8080;\n    location = /health { return 200; }\n    location /api/ { proxy_pass http://api:3000; }\n}\n',
  'web/Dockerfile': 'FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/conf.d/default.conf\nCOPY public /usr/share/nginx/html\nEXPOSE 8080\n',
  'shared/netlib.py': [
    'from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler',
    '',
    'def start(routes, host, port):',
    '    return ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)',
    '',
    'def serve(routes, host, port):',
    '    server = start(routes, host, port)',
    '    server.serve_forever()',
    '',
  ].join('\n'),
  'patterns-a/server.py': pyCopy('patterns-a', 'A_PORT', 7001),
  'patterns-b/server.py': pyCopy('patterns-b', 'B_PORT', 7002),
  'patterns-a/settings.py': `API_TOKEN = "abcd1234efgh5678"\nMAPS_KEY = "AIza${'B'.repeat(35)}"\nPLACEHOLDER_PASSWORD = "changeme"\n`,
  'patterns-b/settings.py': 'DATA_DIR = "/home/alice/galaxy/data"\n',
  'fast/main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get("/healthz")\ndef healthz():\n    return {"ok": True}\n',
  'run-fast.sh': '#!/usr/bin/env bash\nset -euo pipefail\ncd fast\nexec uvicorn main:app --host 127.0.0.1 --port 8008\n',
  'start-a.sh': '#!/usr/bin/env bash\npython3 patterns-a/server.py &\n',
  'start-b.sh': '#!/usr/bin/env bash\nA_PORT=7001 python3 patterns-b/server.py &\n',
  'stop-all.sh': '#!/usr/bin/env bash\nfuser -k 7001/tcp 7002/tcp 8008/tcp || true\n',
  '.venv/pyvenv.cfg': 'home = /usr/bin\n',
  '.venv/lib/app.py': 'from flask import Flask\napp = Flask(__name__)\napp.run(port=1)\n',
};
