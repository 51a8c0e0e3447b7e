// HTTPS settings for outside users: PUBLIC_BIND and PUBLIC_ORIGINS validation, the certificate pair
// .env names, the names a self-signed certificate covers, and how the kit writes its paths to .env.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setEnvValues } from '../../scripts/lib/env.ts';
import { publicSettingsProblems } from '../../scripts/lib/public-settings.ts';
import YAML from 'yaml';
import { TLS_READER, certificateNames, readableBy, tlsSettingsProblems } from '../../scripts/lib/tls.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'galaxy-tls-'));

test('PUBLIC_BIND is an IPv4 address; PUBLIC_ORIGINS are scheme://host[:port] entries', () => {
  for (const bind of ['127.0.0.1', '0.0.0.0', '192.168.1.20', '']) assert.deepEqual(publicSettingsProblems({ PUBLIC_BIND: bind }), [], bind);
  for (const bind of ['localhost', '::', '[::1]', '127.0.0.1:80', '999.1.1.1', ' 127.0.0.1'])
    assert.match(publicSettingsProblems({ PUBLIC_BIND: bind }).join(), /^\.env has PUBLIC_BIND=.*: use an IPv4 address/, bind);
  assert.deepEqual(publicSettingsProblems({ PUBLIC_ORIGINS: 'https://galaxy.example.org:8443, http://10.0.0.5' }), []);
  for (const origin of ['galaxy.example.org', 'https://a.example/path', 'https://a.example:8443/', 'javascript:alert(1)', 'https://*'])
    assert.match(publicSettingsProblems({ PUBLIC_ORIGINS: origin }).join(), /PUBLIC_ORIGINS entry .*scheme:\/\/host\[:port\]/, origin);
});

test('a certificate pair in .env: both or neither, each a readable PEM file of its kind', () => {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(key, '-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n');
  assert.deepEqual(tlsSettingsProblems({}), []);
  assert.deepEqual(tlsSettingsProblems({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key }), []);
  assert.match(tlsSettingsProblems({ TLS_CERT_FILE: cert }).join(), /sets only one of TLS_CERT_FILE and TLS_KEY_FILE: set both/);
  assert.match(tlsSettingsProblems({ TLS_CERT_FILE: key, TLS_KEY_FILE: key }).join(), /TLS_CERT_FILE=.* is not a PEM certificate file/);
  assert.match(tlsSettingsProblems({ TLS_CERT_FILE: cert, TLS_KEY_FILE: cert }).join(), /TLS_KEY_FILE=.* is not a PEM private key file/);
  assert.match(tlsSettingsProblems({ TLS_CERT_FILE: cert, TLS_KEY_FILE: path.join(dir, 'missing.pem') }).join(), /TLS_KEY_FILE=.* cannot be read/);
  // The entry point's nginx is not root: a key only its owner can read is refused, naming the fix.
  chmodSync(key, 0o600);
  const unreadable = tlsSettingsProblems({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key }).join();
  if (statSync(key).uid !== TLS_READER.uid)
    assert.match(unreadable, /TLS_KEY_FILE=.* cannot be read by the site's nginx, which runs as uid 101 and gid 101, not root: chgrp 101 .* && chmod 640/);
  chmodSync(key, 0o644);
});

test('a self-signed certificate covers localhost, 127.0.0.1, the machine name and where the site is published', () => {
  const interfaces = {
    lo: [{ address: '127.0.0.1', family: 'IPv4' }],
    eth0: [
      { address: '10.0.0.5', family: 'IPv4' },
      { address: 'fe80::1', family: 'IPv6' },
    ],
  } as unknown as NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>;
  assert.deepEqual(certificateNames('127.0.0.1', 'box', interfaces), ['DNS:localhost', 'DNS:box', 'IP:127.0.0.1']);
  assert.deepEqual(certificateNames('10.0.0.5', 'box', interfaces), ['DNS:localhost', 'DNS:box', 'IP:127.0.0.1', 'IP:10.0.0.5']);
  assert.deepEqual(certificateNames('0.0.0.0', 'box', interfaces), ['DNS:localhost', 'DNS:box', 'IP:127.0.0.1', 'IP:10.0.0.5']);
  assert.deepEqual(
    certificateNames('127.0.0.1', 'bad name,IP:1.2.3.4', interfaces),
    ['DNS:localhost', 'IP:127.0.0.1'],
    'a name that would inject a SAN is left out',
  );
});

test('setEnvValues replaces a NAME= line or appends one, keeps the rest, and leaves the file private', () => {
  const file = path.join(dir, '.env');
  writeFileSync(file, '# comment\nTLS_CERT_FILE=\nOTHER=1');
  setEnvValues(file, { TLS_CERT_FILE: '/a/cert.pem', TLS_KEY_FILE: '/a/key.pem' });
  assert.equal(readFileSync(file, 'utf8'), '# comment\nTLS_CERT_FILE=/a/cert.pem\nOTHER=1\nTLS_KEY_FILE=/a/key.pem\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test("the pair's reader: owner, group or other bits, and the same user the compose file runs the entry point as", () => {
  assert.ok(readableBy({ uid: 0, gid: 101, mode: 0o100640 }, TLS_READER));
  assert.ok(!readableBy({ uid: 0, gid: 0, mode: 0o100640 }, TLS_READER));
  assert.ok(readableBy({ uid: 0, gid: 0, mode: 0o100644 }, TLS_READER));
  assert.ok(!readableBy({ uid: 101, gid: 0, mode: 0o100044 }, TLS_READER), 'the owner bits decide for the owner');
  const root = path.join(import.meta.dirname, '..', '..');
  type Svc = { user?: string; volumes?: string[] };
  const load = (file: string) => YAML.parse(readFileSync(path.join(root, file), 'utf8'), { merge: true }) as { services: Record<string, Svc> };
  const readers = Object.entries(load('docker-compose.prod.yml').services).filter(([, svc]) =>
    (svc.volumes ?? []).some((v) => String(v).includes('TLS_KEY_FILE')),
  );
  assert.equal(readers.length, 1);
  assert.equal(load('docker-compose.yml').services[readers[0][0]].user, `${TLS_READER.uid}:${TLS_READER.gid}`);
});
