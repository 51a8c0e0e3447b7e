// One small service per framework the detectors know, asserted exactly: framework, port and its
// origin, bind address. Unsupported languages are listed with their port when it is written down.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, it } from 'node:test';
import { scan } from '../../scripts/lib/discovery/inventory.ts';
import { makeRepo } from '../harness/discovery-fixtures.ts';

const root = makeRepo({
  'uv/main.py':
    'import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nif __name__ == "__main__":\n    uvicorn.run("main:app", host="0.0.0.0", port=8000)\n',
  'aio/app.py': 'import os\nfrom aiohttp import web\napp = web.Application()\nweb.run_app(app, port=int(os.environ.get("AIO_PORT", 8081)))\n',
  'ws/server.py':
    'import asyncio\nimport websockets\nasync def main():\n    async with websockets.serve(handler, "localhost", 8765):\n        await asyncio.Future()\n',
  'sock/srv.py': 'import socketserver\nPORT = 9999\nwith socketserver.TCPServer(("", PORT), Handler) as httpd:\n    httpd.serve_forever()\n',
  'koa/index.js': "const Koa = require('koa');\nconst app = new Koa();\napp.listen(process.env.KOA_PORT ?? 4001);\n",
  'hapi/server.js': "const Hapi = require('@hapi/hapi');\nconst server = Hapi.server({ port: 4002, host: 'localhost' });\n",
  'wss/index.mjs': "import { WebSocketServer } from 'ws';\nconst wss = new WebSocketServer({ port: 4003 });\n",
  'tcp/index.ts':
    "import net from 'node:net';\nconst PORT: number = Number(process.env.TCP_PORT) || 4004;\nnet.createServer((s) => s.end()).listen(PORT, '127.0.0.1');\n",
  'tools/free.js':
    "const net = require('net');\nmodule.exports = (port) => new Promise((ok) => { const s = net.createServer(); s.listen(port, () => s.close(() => ok(true))); });\n",
  'cfg/config.json': '{ "server": { "port": 4005 } }',
  'cfg/app.js': "const express = require('express');\nconst config = require('./config.json');\nexpress().listen(config.server.port);\n",
  'next-app/package.json': JSON.stringify({ name: 'next-app', scripts: { start: 'next start -p 4006' } }),
  'site/index.html': '<html></html>',
  'serve.sh': '#!/bin/sh\npython3 -m http.server 4007 --directory site\n',
  'ruby/app.rb': "require 'sinatra'\nset :port, 4567\nget '/' do\n 'hi'\nend\n",
  'java/App.java': '@SpringBootApplication\npublic class App {}\n',
});
after(() => rmSync(root, { recursive: true, force: true }));

it('discovery: each framework yields its service, port origin and bind address', () => {
  const inv = scan(root);
  assert.deepEqual(
    inv.services.map((s) => [
      s.kind,
      s.name,
      s.framework,
      s.ports.map((p) => `${p.port}/${p.source}${p.env ? `/${p.env}` : ''}${p.config ? `/${p.config}` : ''}`).join(','),
      s.bind?.address ?? null,
    ]),
    [
      ['server', 'next-app', 'next', '4006/literal', null],
      ['server', 'aio', 'aiohttp', '8081/env/AIO_PORT', '0.0.0.0'],
      ['server', 'cfg', 'express', '4005/config/cfg/config.json#server.port', '0.0.0.0'],
      ['server', 'hapi', 'hapi', '4002/literal', 'localhost'],
      ['server', 'koa', 'koa', '4001/env/KOA_PORT', '0.0.0.0'],
      ['server', 'sock', 'http.server', '9999/literal', '0.0.0.0'],
      ['server', 'tcp', 'net', '4004/env/TCP_PORT', '127.0.0.1'],
      ['server', 'uv', 'uvicorn', '8000/literal', '0.0.0.0'],
      ['server', 'ws', 'websockets', '8765/literal', 'localhost'],
      ['server', 'wss', 'ws', '4003/literal', '0.0.0.0'],
      ['script', 'serve.sh', null, '', null],
      ['server', 'serve', 'http.server', '4007/literal', '0.0.0.0'],
      ['static', 'site', 'python http.server (serve.sh:2, port 4007)', '', null],
      ['unsupported', 'java', null, '', null],
      ['unsupported', 'ruby', null, '4567/literal', null],
    ],
  );
  assert.deepEqual(
    inv.problems.filter((p) => p.rule === 'loopback-bind').map((p) => p.service),
    ['hapi', 'tcp', 'ws'],
  );
});
