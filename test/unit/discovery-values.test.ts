// Port and address expressions resolved to a value and its origin, without running the code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLaunches } from '../../scripts/lib/discovery/commands.ts';
import { stripComments } from '../../scripts/lib/discovery/text.ts';
import type { SourceFile } from '../../scripts/lib/discovery/types.ts';
import { asPort, resolveJs, resolvePy } from '../../scripts/lib/discovery/values.ts';

function jsFile(text: string): SourceFile {
  return {
    rel: 'a/server.js',
    abs: '/nonexistent/a/server.js',
    dir: 'a',
    base: 'server.js',
    ext: 'js',
    size: text.length,
    text,
    language: 'node',
    isTest: false,
  };
}
const js = (expr: string, text = '') => {
  const r = resolveJs(expr, jsFile(text), stripComments(text, 'c'));
  return { port: asPort(r), value: r.value, source: r.source, env: r.env };
};
const py = (expr: string, text = '') => {
  const r = resolvePy(expr, stripComments(text, 'hash'));
  return { port: asPort(r), value: r.value, source: r.source, env: r.env };
};

describe('discovery: JavaScript values', () => {
  it('reads `const PORT = process.env.PORT || 3000` as env PORT with default 3000', () => {
    assert.deepEqual(js('PORT', 'const PORT = process.env.PORT || 3000;'), { port: 3000, value: '3000', source: 'env', env: 'PORT' });
  });
  it('unwraps Number(), parseInt() and ?? defaults', () => {
    assert.deepEqual(js('port', "const port = parseInt(process.env.APP_PORT ?? '8080', 10);"), { port: 8080, value: '8080', source: 'env', env: 'APP_PORT' });
    assert.deepEqual(js('Number(process.env["X_PORT"]) || 81'), { port: 81, value: '81', source: 'env', env: 'X_PORT' });
  });
  it('reads destructured env with a default', () => {
    assert.deepEqual(js('port', 'const { PORT: port = 4500 } = process.env;'), { port: 4500, value: '4500', source: 'env', env: 'PORT' });
  });
  it('reads a key of an object literal and an env helper call', () => {
    const text = "const config = {\n  host: process.env.HOST || '0.0.0.0',\n  port: int('PORT', process.env.PORT, 7000, 1, 65535),\n};";
    assert.deepEqual(js('config.port', text), { port: 7000, value: '7000', source: 'env', env: 'PORT' });
    assert.deepEqual(js('config.host', text), { port: null, value: '0.0.0.0', source: 'env', env: 'HOST' });
  });
  it('a literal is a literal; an env var without default has no port', () => {
    assert.deepEqual(js('5000'), { port: 5000, value: '5000', source: 'literal', env: undefined });
    assert.deepEqual(js('process.env.PORT'), { port: null, value: null, source: 'env', env: 'PORT' });
    assert.deepEqual(js('somethingElse()'), { port: null, value: null, source: 'unknown', env: undefined });
  });
  it('a regex literal containing // does not hide the code after it', () => {
    const text = 'if (!/^postgres:\\/\\//.test(url)) fail();\nconst PORT = 6000;';
    assert.deepEqual(js('PORT', text), { port: 6000, value: '6000', source: 'literal', env: undefined });
  });
});

describe('discovery: Python values', () => {
  it('reads os.environ.get("PORT", "5556") as env PORT with default 5556', () => {
    assert.deepEqual(py('int(os.environ.get("PORT", "5556"))'), { port: 5556, value: '5556', source: 'env', env: 'PORT' });
  });
  it('follows module-level names and `or` defaults', () => {
    assert.deepEqual(py('PORT', 'PORT = int(os.getenv("APP_PORT") or 9000)\n'), { port: 9000, value: '9000', source: 'env', env: 'APP_PORT' });
    assert.deepEqual(py('env_int("PORT", 37778)'), { port: 37778, value: '37778', source: 'env', env: 'PORT' });
    assert.deepEqual(py('os.environ["PORT"]'), { port: null, value: null, source: 'env', env: 'PORT' });
  });
});

describe('discovery: start commands', () => {
  it('reads what a command line starts, with its port and address', () => {
    const view = (line: string) => parseLaunches(line).map((l) => ({ kind: l.kind, target: l.target, port: l.port, host: l.host, env: l.env }));
    assert.deepEqual(view('PORT=4000 nohup node dist/server.js > log 2>&1 &'), [
      { kind: 'node', target: 'dist/server.js', port: null, host: null, env: { PORT: '4000' } },
    ]);
    assert.deepEqual(view('uvicorn api.main:app --host 0.0.0.0 --port 8001 --reload'), [
      { kind: 'asgi', target: 'api/main.py', port: 8001, host: '0.0.0.0', env: {} },
    ]);
    assert.deepEqual(view('python3 -m http.server 8088 --directory public'), [{ kind: 'http.server', target: 'public', port: 8088, host: '0.0.0.0', env: {} }]);
    assert.deepEqual(view('(cd web && npm start)'), [{ kind: 'npm', target: null, port: null, host: null, env: {} }]);
    assert.deepEqual(view('echo hello'), []);
  });
});
