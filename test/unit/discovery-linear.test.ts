// Every reader on 1 MB single-line files of each language, built to make a backtracking pattern
// explode (long runs of what a pattern repeats, openers without closers): each must finish. The
// bound is generous (linear work on 1 MB is well under a second); it catches blow-ups, not speed.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { scan } from '../../scripts/lib/discovery/inventory.ts';
import { makeRepo } from '../harness/discovery-fixtures.ts';
import { analyzeCompose, analyzeDockerfile } from '../../scripts/lib/discovery/docker.ts';
import { scanFile } from '../../scripts/lib/discovery/deps.ts';
import { analyzeManifest } from '../../scripts/lib/discovery/kube.ts';
import { nginxPasses } from '../../scripts/lib/discovery/nginx.ts';
import { analyzeJs } from '../../scripts/lib/discovery/node.ts';
import { findStaticSites, findUnsupported } from '../../scripts/lib/discovery/others.ts';
import { findProblems } from '../../scripts/lib/discovery/problems.ts';
import { analyzePy } from '../../scripts/lib/discovery/python.ts';
import { analyzeShell } from '../../scripts/lib/discovery/shell.ts';
import type { Language, SourceFile } from '../../scripts/lib/discovery/types.ts';

const MB = 1024 * 1024;
const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
const file = (base: string, language: Language | null, text: string): SourceFile => ({
  rel: `big/${base}`,
  abs: `/nonexistent/big/${base}`,
  dir: 'big',
  base,
  ext: base.includes('.') ? (base.split('.').pop() as string) : '',
  size: text.length,
  text,
  language,
  isTest: false,
});

// Openers without closers, separators without values, and the calls each reader looks for.
const CASES: Array<[string, Language | null, string[]]> = [
  ['server.js', 'node', ['app.listen(', 'const { a, ', "'x", '(a):b', 'function f(', 'http://a', ' ', 'a'.repeat(50), '/re/ ', '${', 'x.bindAsync(`0:${']],
  ['app.py', 'python', ['app.run(', 'app = Flask(', 'os.environ.get(', '"a', 'def f(', ' ', 'add_insecure_port(', 'secret_key = "', 'x', 'f"{']],
  ['main.go', 'go', ['net.Listen("tcp", ', 'port := ', 'http.ListenAndServe(":"+', 'os.Getenv("', ' ', 'fmt.Sprintf(', '"']],
  ['App.java', 'java', ['@SpringBootApplication ', 'ServerBuilder.forPort(', '/* ', 'a', ' ']],
  ['Program.cs', 'dotnet', ['ListenAnyIP(int.Parse(', 'var port = ', 'UseUrls("', ' ']],
  ['run.sh', 'shell', ['python3 app.py & ', 'cd ', 'uvicorn a:b --host ', 'A=1 ', ' ']],
  ['docker-compose.yml', null, ['services: ', 'a: ', '- ', ' ', 'PASSWORD: ']],
  ['deploy.yaml', null, ['apiVersion: v1 kind: Deployment ', 'value: ', 'name: ', ' ']],
  ['default.conf', null, ['server { listen 80; ', 'upstream a { server ', 'proxy_pass http://${', ' ']],
  ['Dockerfile', null, ['ENV ', 'A=', 'EXPOSE ', 'NODE_ENV ', ' ']],
  ['application.properties', null, ['server.port=', 'a.password=', 'x', ' ']],
];

describe('discovery: no pattern backtracks catastrophically (1 MB single-line files)', () => {
  for (const [base, language, units] of CASES) {
    for (const unit of units) {
      it(`${base} filled with ${JSON.stringify(unit)}`, () => {
        const f = file(base, language, fill(unit));
        const started = performance.now();
        const known = new Set([f.rel]);
        if (language === 'node') analyzeJs(f, known);
        if (language === 'python') analyzePy(f, known, new Map());
        if (language === 'shell') analyzeShell(f, known);
        if (base === 'Dockerfile') analyzeDockerfile(f);
        if (base === 'docker-compose.yml') analyzeCompose(f);
        if (base === 'deploy.yaml') analyzeManifest(f);
        if (base === 'default.conf') nginxPasses(f, {});
        findUnsupported([f]);
        findStaticSites([f]);
        scanFile(f, 'big', []);
        findProblems({ files: [f], services: [], facts: new Map(), shells: [], tracked: null });
        const ms = performance.now() - started;
        // Linear work on 1 MB takes well under a second; a quadratic pattern takes minutes.
        assert.ok(ms < 15000, `${base} with ${JSON.stringify(unit)} took ${Math.round(ms)} ms`);
      });
    }
  }
});

describe('discovery: repeated findings are collapsed', () => {
  it('10,000 identical app.run(debug=True) calls give one service, one port and one counted problem', () => {
    const root = makeRepo({
      'app/app.py': `from flask import Flask\napp = Flask(__name__)\n${'app.run(host="0.0.0.0", port=5000, debug=True)\n'.repeat(10000)}`,
    });
    try {
      const inv = scan(root);
      assert.deepEqual(
        inv.services.map((s) => [s.name, s.ports.map((p) => p.port)]),
        [['app', [5000]]],
      );
      const debug = inv.problems.filter((p) => p.rule === 'debug-mode');
      assert.equal(debug.length, 1);
      assert.ok((debug[0].count ?? 1) > 100, `count ${debug[0].count}`);
      assert.ok(JSON.stringify(inv).length < 20_000, `inventory is ${JSON.stringify(inv).length} bytes`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
