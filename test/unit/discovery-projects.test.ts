// One row per project: code, Dockerfile, compose and manifest rows merged; names; copies; what a
// Dockerfile's CMD serves; development modes only in files used in production.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { scan } from '../../scripts/lib/discovery/inventory.ts';
import { renderMarkdown } from '../../scripts/lib/discovery/markdown.ts';
import { copiedName, folderName, isCopyDir } from '../../scripts/lib/discovery/projects.ts';
import { makeRepo } from '../harness/discovery-fixtures.ts';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
const scanOf = (files: Record<string, string>) => {
  const root = makeRepo(files);
  roots.push(root);
  return scan(root, { label: 'shop' });
};

describe('discovery: projects', () => {
  it('merges code, Dockerfile and compose rows of one project root, keeping each source', () => {
    const inv = scanOf({
      'docker-compose.yml': 'services:\n  carts:\n    build: ./src/cart\n    ports: ["8081:8080"]\n',
      'src/cart/src/package.json': '{"name":"cart-api","scripts":{"start":"node index.js"}}',
      'src/cart/src/index.js': "require('http').createServer().listen(8080);\n",
      'src/cart/Dockerfile': 'FROM node:20\nEXPOSE 8080\n',
    });
    // The build context src/cart holds no code but encloses the one project src/cart/src: one
    // service, named after the compose service, its code row first.
    assert.deepEqual(
      inv.services.map((s) => [
        s.name,
        s.dir,
        s.ports.map((p) => `${p.port}${p.published ? `->${p.published.port}` : ''}`),
        s.sources?.map((x) => `${x.kind} ${x.file}:${x.line}`),
      ]),
      [['carts', 'src/cart', ['8080->8081'], ['server src/cart/src/index.js:1', 'compose docker-compose.yml:2', 'container src/cart/Dockerfile:1']]],
    );
  });

  it('names by folder, never src, main, app, a dot-folder or a numeric suffix', () => {
    assert.equal(folderName('services/cartservice/src'), 'cartservice');
    assert.equal(folderName('main-2/app'), null);
    assert.equal(folderName('.tmp/orders'), 'orders');
  });

  it('lists copies in backup, archive and temp folders as copies of the service', () => {
    for (const dir of ['.tmp/orders', 'orders_restored', 'ARCHIVE/orders-2023', 'backup/orders', 'orders.bak']) assert.ok(isCopyDir(dir), dir);
    for (const dir of ['orders', 'backup', 'services/backup-agent', 'scripts/lib/backup']) assert.ok(!isCopyDir(dir), dir);
    assert.equal(copiedName('orders_restored'), 'orders');
    const inv = scanOf({
      'orders/app.py': 'from flask import Flask\napp = Flask(__name__)\napp.run(host="0.0.0.0", port=5000)\n',
      'orders/requirements.txt': 'flask\n',
      'backup/orders/app.py': 'from flask import Flask\napp = Flask(__name__)\napp.run(host="0.0.0.0", port=5000)\n',
      'backup/orders/requirements.txt': 'flask\n',
    });
    assert.deepEqual(
      inv.services.map((s) => s.name),
      ['orders'],
    );
    assert.deepEqual(inv.copies, [{ dir: 'backup/orders', entry: 'backup/orders/app.py', of: 'orders' }]);
    assert.ok(renderMarkdown(inv).includes('- `backup/orders` — a copy of orders (`backup/orders/app.py`)'), 'the report names the copy');
    assert.deepEqual(
      inv.problems.filter((p) => p.rule !== 'no-health-endpoint'),
      [],
    );
  });

  it('reads the port and address a Dockerfile CMD serves on, with FLASK_RUN_* from its ENV', () => {
    const inv = scanOf({
      'hello/app.py': 'from flask import Flask\napp = Flask(__name__)\n\nif __name__ == "__main__":\n    app.run()\n',
      'hello/Dockerfile': 'FROM python:3.12\nENV FLASK_RUN_HOST=0.0.0.0 FLASK_RUN_PORT=5001\nCMD ["flask", "run"]\n',
    });
    const hello = inv.services.find((s) => s.name === 'hello');
    assert.deepEqual(
      hello?.ports.map((p) => `${p.port}/${p.source}:${p.env}`),
      ['5000/framework-default:undefined', '5001/env:FLASK_RUN_PORT'],
    );
    assert.equal(inv.problems.filter((p) => p.rule === 'loopback-bind').length, 0, 'FLASK_RUN_HOST overrides app.run()');
    const compose = scanOf({ 'docker-compose.yml': 'services:\n  api:\n    image: python:3.12\n    command: uvicorn main:app --host 0.0.0.0 --port 8010\n' });
    assert.deepEqual(
      compose.services.map((s) => [s.name, s.ports.map((p) => `${p.port}/${p.source}@${p.file}:${p.line}`)]),
      [['api', ['8010/literal@docker-compose.yml:2']]],
    );
  });

  it('test fixtures and docs are examples: no services, dependencies or secrets from them', () => {
    const inv = scanOf({
      'api/package.json': '{"name":"api","scripts":{"start":"node index.js"}}',
      'api/index.js': "require('http').createServer().listen(3000);\n",
      'test/fixtures/shop/package.json': '{"name":"billing","scripts":{"start":"node server.js"}}',
      'test/fixtures/shop/.env': 'DB_PASSWORD=fixture-secret-1\n',
      'test/fixtures/shop/run.sh': '#!/bin/sh\npython3 app.py &\n',
      'docs/reports/inventory.json': '{"target": "http://api:3000"}\n',
      'tools/seed.py': 'if __name__ == "__main__":\n    print("seed")\n',
      'package.json': '{"name":"monorepo","private":true}',
    });
    // The root package.json of a tree of projects does not swallow tools/seed.py.
    assert.deepEqual(
      inv.services.map((s) => [s.name, s.kind]),
      [
        ['api', 'server'],
        ['seed', 'program'],
      ],
    );
    assert.deepEqual([inv.dependencies, inv.problems.filter((p) => p.rule !== 'no-health-endpoint')], [[], []]);
  });

  it('reads Java gRPC, C# Kestrel and Go ports followed back to env defaults and flags', () => {
    const inv = scanOf({
      'quote/src/main/java/Quote.java':
        'class Quote {\n  public static void main(String[] a) throws Exception {\n    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "50052"));\n    ServerBuilder.forPort(port).addService(new QuoteImpl()).build().start();\n  }\n}\n',
      'quote/pom.xml': '<project><artifactId>quote</artifactId></project>',
      'cart/Program.cs':
        'var port = Environment.GetEnvironmentVariable("PORT") ?? "7070";\nbuilder.WebHost.ConfigureKestrel(o => o.ListenAnyIP(int.Parse(port)));\nvar app = WebApplication.CreateBuilder(args).Build();\n',
      'web/main.go': 'package main\nvar addr = flag.String("port", "8090", "port")\nfunc main() { http.ListenAndServe(":"+*addr, nil) }\n',
    });
    assert.deepEqual(
      inv.services.map((s) => [s.name, s.framework, s.ports.map((p) => `${p.port}/${p.source}${p.env ? `:${p.env}` : ''}`)]),
      [
        ['cart', 'kestrel', ['7070/env:PORT']],
        ['quote', 'grpc', ['50052/env:PORT']],
        ['web', 'net/http', ['8090/literal']],
      ],
    );
  });

  it('NODE_ENV=development counts in a production file only', () => {
    const base = { 'docker-compose.yml': 'services:\n  api:\n    image: node:20\n    environment:\n      NODE_ENV: development\n' };
    const prod = scanOf(base);
    assert.deepEqual(
      prod.problems.filter((p) => p.rule === 'debug-mode').map((p) => `${p.file}:${p.line}`),
      ['docker-compose.yml:5'],
    );
    // The report gives each problem its one-line fix.
    assert.ok(renderMarkdown(prod).includes('| turn debug and development modes off outside development, driven by an env var |'));
    const withProd = scanOf({ ...base, 'docker-compose.prod.yml': 'services:\n  api:\n    environment:\n      NODE_ENV: production\n' });
    assert.deepEqual(
      withProd.problems.filter((p) => p.rule === 'debug-mode'),
      [],
    );
    const dev = scanOf({ 'compose.dev.yaml': base['docker-compose.yml'] });
    assert.deepEqual(
      dev.problems.filter((p) => p.rule === 'debug-mode'),
      [],
    );
  });
});
