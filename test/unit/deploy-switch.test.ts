import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Connection, connectionsTo, inFlight, parseEndpoint, parseTcpTable } from '../../scripts/lib/docker/tcp-table.ts';
import { switchVerdict } from '../../scripts/lib/deploy/switch.ts';

// Two lines as the kernel prints them (header kept): a LISTEN on 0.0.0.0:3000 and a TIME_WAIT
// from 172.18.0.9:41234 to 172.18.0.7:3000.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0
   1: 090012AC:A0D2 070012AC:0BB8 06 00000000:00000000 03:00000F9A 00000000     0        0 0 3 0000000000000000
   2: garbage line
`;
// tcp6: node listening on [::]:3000 and an established v4-mapped connection from 172.18.0.9.
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1
   1: 0000000000000000FFFF0000070012AC:0BB8 0000000000000000FFFF0000090012AC:A0D4 01 00000000:00000000 00:00000000 00000000  1000        0 2 1
`;

test('endpoints: IPv4 in host byte order, IPv6 v4-mapped back to IPv4, junk refused', () => {
  assert.deepEqual(parseEndpoint('0100007F:0BB8'), { ip: '127.0.0.1', port: 3000 });
  assert.deepEqual(parseEndpoint('0000000000000000FFFF0000070012AC:0BB8'), { ip: '172.18.0.7', port: 3000 });
  assert.deepEqual(parseEndpoint('00000000000000000000000001000000:0050'), { ip: '0:0:0:0:0:0:0:1', port: 80 });
  assert.equal(parseEndpoint('zz:0BB8'), undefined);
  assert.equal(parseEndpoint('0100007F'), undefined);
});

test('tables: states parsed, header and malformed lines skipped', () => {
  const v4 = parseTcpTable(TCP);
  assert.deepEqual(
    v4.map((s) => s.state),
    ['LISTEN', 'TIME_WAIT'],
  );
  assert.deepEqual(v4[1].local, { ip: '172.18.0.9', port: 41170 });
  const v6 = parseTcpTable(TCP6);
  assert.deepEqual(
    v6.map((s) => `${s.state} ${s.remote.ip}`),
    ['LISTEN 0:0:0:0:0:0:0:0', 'ESTABLISHED 172.18.0.9'],
  );
});

test('connections: each once whichever table shows it, the live state over TIME_WAIT, in-flight counted', () => {
  const server = { ip: '172.18.0.7', port: 3000 };
  const clientSide = parseTcpTable(TCP); // the client's table holds the TIME_WAIT
  const serverSide = parseTcpTable(TCP6); // the server's table holds the established one
  const conns = connectionsTo([clientSide, serverSide, serverSide], [server]);
  assert.equal(conns.length, 2);
  assert.equal(inFlight(conns), 1);
  assert.equal(connectionsTo([clientSide], [{ ip: '172.18.0.8', port: 3000 }]).length, 0);
});

const oldEp = [{ ip: '10.0.0.2', port: 3000 }];
const newEp = [{ ip: '10.0.0.3', port: 3000 }];
const conn = (client: string, port: number, server: string): Connection => ({
  client: { ip: client, port },
  server: { ip: server, port: 3000 },
  state: 'TIME_WAIT',
});
const proxies = [{ name: 'frontend-1', ips: ['10.0.0.9'] }];

test('switch: a proxy still opening connections to the old container only is not proven', () => {
  const v = switchVerdict({
    proxies,
    baseline: new Set(),
    seen: [conn('10.0.0.9', 1, '10.0.0.2'), conn('10.0.0.9', 2, '10.0.0.2')],
    oldEndpoints: oldEp,
    newEndpoints: newEp,
    elapsedMs: 60_000,
  });
  assert.equal(v.proven, false);
  assert.deepEqual(v.pending, ['frontend-1']);
  assert.deepEqual(v.proxies, [{ proxy: 'frontend-1', toOld: 2, toNew: 0 }]);
});

test('switch: proven as soon as the proxy has used the new container, even within the resolver bound', () => {
  const v = switchVerdict({
    proxies,
    baseline: new Set(),
    seen: [conn('10.0.0.9', 1, '10.0.0.2'), conn('10.0.0.9', 2, '10.0.0.3')],
    oldEndpoints: oldEp,
    newEndpoints: newEp,
    elapsedMs: 10,
  });
  assert.equal(v.proven, true);
});

test('switch: connections that existed before the new container was healthy do not count against it', () => {
  const before = conn('10.0.0.9', 7, '10.0.0.2');
  const v = switchVerdict({
    proxies,
    baseline: new Set(['10.0.0.9:7>10.0.0.2:3000']),
    seen: [before],
    oldEndpoints: oldEp,
    newEndpoints: newEp,
    elapsedMs: 3000,
  });
  assert.equal(v.proven, true);
  assert.deepEqual(v.proxies, [{ proxy: 'frontend-1', toOld: 0, toNew: 0 }]);
});

test('switch: an idle proxy (or none) is proven once its DNS cache has had time to expire', () => {
  const idle = { proxies, baseline: new Set<string>(), seen: [], oldEndpoints: oldEp, newEndpoints: newEp };
  assert.equal(switchVerdict({ ...idle, elapsedMs: 100, refreshMs: 2500 }).proven, false);
  assert.equal(switchVerdict({ ...idle, elapsedMs: 2600, refreshMs: 2500 }).proven, true);
  assert.equal(switchVerdict({ ...idle, proxies: [], elapsedMs: 0 }).proven, true, 'no proxy in front: nothing to wait for');
});

test('switch: clients that are not proxies (a scraper, another API) never hold the switch', () => {
  const v = switchVerdict({
    proxies,
    baseline: new Set(),
    seen: [conn('10.0.0.20', 1, '10.0.0.2'), conn('10.0.0.9', 3, '10.0.0.3')],
    oldEndpoints: oldEp,
    newEndpoints: newEp,
    elapsedMs: 0,
  });
  assert.equal(v.proven, true);
});

test('inspect: an unhealthy made only of timed-out probes is flagged, one that answered "no" is not', async () => {
  const { parseInspect } = await import('../../scripts/lib/docker/containers.ts');
  const raw = (log: Array<{ ExitCode: number; Output: string }>) =>
    JSON.stringify([{ Id: 'a', Name: '/a', RestartCount: 0, Config: { Image: 'i' }, State: { Status: 'running', Health: { Status: 'unhealthy', Log: log } } }]);
  const timeout = { ExitCode: -1, Output: 'Health check exceeded timeout (10s)' };
  assert.equal(parseInspect(raw([{ ExitCode: 0, Output: '' }, timeout, timeout]))[0].probesTimedOut, true);
  assert.equal(parseInspect(raw([timeout, { ExitCode: 1, Output: 'unhealthy: HTTP 503' }]))[0].probesTimedOut, false);
  assert.equal(parseInspect(raw([]))[0].probesTimedOut, false);
  // The probe program's own short wait (HEALTH_ANSWER_SECONDS) is slowness too, not a verdict.
  const ownWait = { ExitCode: 1, Output: 'unhealthy: GET /health answered nothing within 2 s' };
  assert.equal(parseInspect(raw([ownWait, ownWait]))[0].probesTimedOut, true);
});
