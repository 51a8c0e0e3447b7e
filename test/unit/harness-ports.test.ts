// The test stacks' host ports: one .env gets as many distinct free ports as it has *_PORT lines.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { freePorts } from '../harness/stack.ts';

test('freePorts gives distinct ports that are free once it returns', async () => {
  const ports = await freePorts(40);
  assert.equal(new Set(ports).size, 40, `duplicates in ${ports.join(' ')}`);
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const server = net.createServer().once('error', reject);
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  }
});
