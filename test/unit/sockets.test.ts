import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTcpTable } from '../../scripts/lib/docker/tcp-table.ts';
import { receivesOn } from '../../scripts/lib/docker/sockets.ts';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const row = (local: string, remote: string, state: string) =>
  `   0: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000 10001        0 4242 2 0000000000000000 0`;

test('a UDP receiver is ready once a socket is bound on its port on every address (state 07)', () => {
  const udp = parseTcpTable([HEADER, row('00000000:158A', '00000000:0000', '07')].join('\n'));
  assert.equal(receivesOn(udp, 5514, 'udp'), true);
  assert.equal(receivesOn(udp, 5515, 'udp'), false);
});

test('a socket bound on loopback only does not receive from others', () => {
  const udp = parseTcpTable([HEADER, row('0100007F:158A', '00000000:0000', '07')].join('\n'));
  assert.equal(receivesOn(udp, 5514, 'udp'), false);
});

test('a TCP receiver needs a listening socket: a connection on the port is not one', () => {
  const connected = parseTcpTable([HEADER, row('0200A8C0:0BB8', '0300A8C0:D431', '01')].join('\n'));
  assert.equal(receivesOn(connected, 3000, 'tcp'), false);
  const listening = parseTcpTable([HEADER, row('00000000:0BB8', '00000000:0000', '0A')].join('\n'));
  assert.equal(receivesOn(listening, 3000, 'tcp'), true);
});
