// make audit's decisions (scripts/lib/audit/), from canned `docker inspect` output
// (test/fixtures/audit/), a compose model, @secret values and backup facts: each weakness gives its
// finding with the expected severity and exit code, and the default stack's shape passes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type AuditInput, runAudit } from '../../scripts/lib/audit/audit.ts';
import { DAILY_SLACK_HOURS, backupFindings, staleAfterHours } from '../../scripts/lib/audit/backups.ts';
import { entryPoints, runsAsRoot } from '../../scripts/lib/audit/containers.ts';
import { type Finding, auditExitCode, summarize } from '../../scripts/lib/audit/findings.ts';
import { secretsOf } from '../../scripts/lib/audit/secrets.ts';
import { readBackupSettings } from '../../scripts/lib/backup/settings.ts';
import type { BackupSummary } from '../../scripts/lib/backup/summary.ts';
import { parseComposeConfig } from '../../scripts/lib/compose.ts';
import { type ContainerSecurity, parseSecurity } from '../../scripts/lib/docker/security.ts';
import { parseEnvExample } from '../../scripts/lib/env.ts';
import { renderAudit } from '../../scripts/lib/report/audit.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixture = (name: string): ContainerSecurity[] => parseSecurity(readFileSync(path.join(root, 'test', 'fixtures', 'audit', `${name}.json`), 'utf8'));

/** `docker compose config --format json` of a small stack: web is the entry point (a proxy to api). */
const model = parseComposeConfig(
  JSON.stringify({
    name: 'shop',
    services: {
      api: { ports: [{ host_ip: '127.0.0.1', published: '3000', target: 3000 }] },
      web: { ports: [{ published: '8080', target: 8080 }], labels: { 'galaxy.proxy.upstreams': 'api' } },
      admin: { ports: [{ host_ip: '127.0.0.1', published: '9090', target: 9090 }] },
      db: {},
      tool: {},
      rogue: {},
      healer: {},
    },
  }),
);

const example = parseEnvExample('# @required @secret\nPOSTGRES_PASSWORD=\n# @secret\nBACKUP_HMAC_KEY=\n# not a secret\nLOG_LEVEL=info\n');
const env = { POSTGRES_PASSWORD: 'Fixture-not-a-real-secret-0123456', BACKUP_HMAC_KEY: 'another-generated-key-abcdefgh', LOG_LEVEL: 'info' };
const now = new Date('2026-12-01T12:00:00Z');
const encrypted = readBackupSettings({ COMPOSE_PROJECT_NAME: 'shop', BACKUP_ENCRYPT_RECIPIENT: `age1${'q'.repeat(58)}` });
const recentSet: BackupSummary = {
  name: 'shop-20261201T030000Z',
  createdAt: '2026-12-01T03:00:00Z',
  totalBytes: 10,
  stores: [],
  notBackedUp: [],
  encryption: 'age',
};

function audit(containers: ContainerSecurity[], over: Partial<AuditInput> = {}) {
  return runAudit({ containers, model, secrets: secretsOf(example, env), backup: encrypted, newest: recentSet, now, ...over });
}

const only = (findings: Finding[], check: Finding['check']) => findings.filter((f) => f.check === check);

describe('make audit: container checks from inspect', () => {
  it('a hardened container on loopback, with an encrypted recent backup, has no finding: exit 0', () => {
    const result = audit(fixture('hardened'));
    assert.deepEqual(result.findings, []);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(result.ports, [{ service: 'api', container: 'shop-api-1', containerPort: '3000/tcp', address: '127.0.0.1:3000', reach: 'loopback' }]);
  });

  it('a root container: high (the kit runs every service as a non-root user), exit 1', () => {
    const result = audit(fixture('root'));
    assert.deepEqual(only(result.findings, 'root-user'), [
      {
        severity: 'high',
        check: 'root-user',
        service: 'db',
        container: 'shop-db-1',
        problem: 'runs as root (no user in the image or compose file)',
        fix: 'set a non-root user: (or USER in its Dockerfile)',
      },
    ]);
    assert.deepEqual(
      result.findings.map((f) => `${f.severity} ${f.check}`),
      ['high root-user'],
    );
    assert.equal(result.exitCode, 1);
    assert.ok(runsAsRoot('0:0') && runsAsRoot('root') && !runsAsRoot('10001:10001') && !runsAsRoot('node'));
  });

  it('a writable root filesystem, and missing cap_drop and no-new-privileges: high each, exit 1', () => {
    const writable = audit(fixture('writable-rootfs'));
    assert.deepEqual(
      writable.findings.map((f) => [f.severity, f.check, f.problem]),
      [['high', 'writable-rootfs', 'root filesystem is writable']],
    );
    assert.equal(writable.exitCode, 1);
    const [bare] = fixture('hardened');
    const loose = audit([{ ...bare, capDrop: [], securityOpt: ['seccomp=unconfined'] }]);
    assert.deepEqual(
      loose.findings.map((f) => `${f.severity} ${f.check}`),
      ['high cap-drop', 'high no-new-privileges'],
    );
    assert.equal(loose.exitCode, 1);
  });

  it('a secret in the environment or command line: medium, named by variable, its value never shown', () => {
    const result = audit(fixture('secret-env'));
    const [finding] = only(result.findings, 'secret-in-env');
    assert.deepEqual(finding, {
      severity: 'medium',
      check: 'secret-in-env',
      service: 'db',
      container: 'shop-db-1',
      problem: 'docker inspect shows POSTGRES_PASSWORD (in POSTGRES_PASSWORD, DATABASE_URL, command line)',
      fix: 'pass it as a file (compose secrets and a *_FILE setting), not in the environment or command line',
    });
    assert.equal(result.exitCode, 0);
    assert.doesNotMatch(JSON.stringify(result), /Fixture-not-a-real-secret/);
    // Which values are secrets comes from the @secret tags, not a list: untagged, nothing is found.
    assert.deepEqual(only(audit(fixture('secret-env'), { secrets: secretsOf(parseEnvExample('POSTGRES_PASSWORD=\n'), env) }).findings, 'secret-in-env'), []);
  });

  it('a port on 0.0.0.0 (and ::) that is not the entry point: high, exit 1', () => {
    const result = audit(fixture('public-port'));
    assert.deepEqual(
      only(result.findings, 'published-port').map((f) => [f.severity, f.problem, f.fix]),
      [
        [
          'high',
          '9090/tcp is reachable from other machines on 0.0.0.0:9090',
          'publish it as "127.0.0.1:9090:9090" in the compose file, or reach it through the entry point',
        ],
        [
          'high',
          '9090/tcp is reachable from other machines on [::]:9090',
          'publish it as "127.0.0.1:9090:9090" in the compose file, or reach it through the entry point',
        ],
      ],
    );
    assert.equal(result.exitCode, 1);
    assert.deepEqual(
      result.ports.map((p) => [p.address, p.reach]),
      [
        ['0.0.0.0:9090', 'network'],
        ['[::]:9090', 'network'],
      ],
    );
  });

  it('the entry point on the address compose names: low, exit 0; on another address: high', () => {
    assert.deepEqual([...entryPoints(model)], ['web']);
    const result = audit(fixture('entry-point'));
    assert.deepEqual(
      result.findings.map((f) => [f.severity, f.check]),
      [['low', 'published-port']],
    );
    assert.equal(result.exitCode, 0);
    const [web] = fixture('entry-point');
    const moved = audit([{ ...web, ports: [{ containerPort: '8080/tcp', hostIp: '0.0.0.0', hostPort: 8443 }] }]);
    assert.equal(moved.findings[0].severity, 'high');
    assert.equal(moved.exitCode, 1);
  });

  it('a privileged container: high, and host-level capabilities high, narrow ones low; exit 1', () => {
    const result = audit(fixture('privileged'));
    assert.deepEqual(
      result.findings.map((f) => [f.severity, f.check, f.problem]),
      [
        ['high', 'privileged', 'runs privileged (every capability and device)'],
        ['high', 'capabilities', 'adds SYS_ADMIN'],
        ['low', 'capabilities', 'adds NET_BIND_SERVICE'],
      ],
    );
    assert.equal(result.exitCode, 1);
  });

  it('the Docker socket mounted without a declared reason: high, exit 1; declared (even read-only): medium', () => {
    const rogue = audit(fixture('socket'));
    assert.deepEqual(
      rogue.findings.map((f) => [f.severity, f.check, f.problem]),
      [['high', 'docker-socket', 'holds the Docker socket read-write (/var/run/docker.sock): root on the host']],
    );
    assert.equal(rogue.exitCode, 1);
    const healer = audit(fixture('socket-declared'));
    assert.deepEqual(
      healer.findings.map((f) => [f.severity, f.check, f.problem]),
      [['medium', 'docker-socket', 'holds the Docker socket read-only (which stops no API call), for: restarts unhealthy containers']],
    );
    assert.equal(healer.exitCode, 0);
  });
});

describe('make audit: backup checks from the backup settings and the newest set', () => {
  const plain = readBackupSettings({ COMPOSE_PROJECT_NAME: 'shop' });

  it('an unencrypted backup setting: medium on this machine, high when copied offsite', () => {
    const local = backupFindings(plain, recentSet, now);
    assert.deepEqual(
      local.map((f) => [f.severity, f.check, f.problem]),
      [['medium', 'backup-encryption', 'sets are unencrypted (BACKUP_ENCRYPT_RECIPIENT is empty)']],
    );
    assert.equal(auditExitCode(local), 0);
    const offsite = backupFindings({ ...plain, offsiteCommand: 'rsync -a "$1" /mnt/offsite/' }, recentSet, now);
    assert.deepEqual(
      offsite.map((f) => [f.severity, f.check]),
      [['high', 'backup-encryption']],
    );
    assert.equal(auditExitCode(offsite), 1);
    // Encryption on, but the newest set predates it.
    assert.deepEqual(
      backupFindings(encrypted, { ...recentSet, encryption: 'none' }, now).map((f) => [f.severity, f.problem]),
      [['medium', 'the newest set shop-20261201T030000Z is unencrypted']],
    );
  });

  it('an old newest backup: medium past 26 h, high past the retention window; none yet: medium', () => {
    const at = (hours: number): BackupSummary => ({ ...recentSet, createdAt: new Date(now.getTime() - hours * 3_600_000).toISOString() });
    assert.deepEqual(backupFindings(encrypted, at(DAILY_SLACK_HOURS - 1), now), []);
    const late = backupFindings(encrypted, at(30), now);
    assert.deepEqual(
      late.map((f) => [f.severity, f.check, f.problem]),
      [['medium', 'backup-age', 'the newest set is 30 h old (more than 26 h)']],
    );
    assert.equal(staleAfterHours(encrypted), 7 * 24);
    const old = backupFindings(encrypted, at(10 * 24), now);
    assert.deepEqual(
      old.map((f) => [f.severity, f.check, f.problem]),
      [['high', 'backup-age', 'the newest set is 10 days old, past the 7 days the retention keeps']],
    );
    assert.equal(audit(fixture('hardened'), { newest: at(10 * 24) }).exitCode, 1);
    const none = backupFindings(encrypted, { missing: 'no set of shop in /b yet' }, now);
    assert.deepEqual(
      none.map((f) => [f.severity, f.problem]),
      [['medium', 'no backup: no set of shop in /b yet']],
    );
    assert.equal(staleAfterHours({ keepDaily: 0, keepWeekly: 2 }), 14 * 24);
    assert.equal(staleAfterHours({ keepDaily: 0, keepWeekly: 0 }), undefined);
  });
});

describe('make audit: the default stack', () => {
  it('the default stack shape (hardened services, a secret in env, the declared socket proxy, no backup) passes; one loosened service fails', () => {
    const [base] = fixture('hardened');
    const [secretHolder] = fixture('secret-env');
    const [proxy] = fixture('socket-declared');
    const hardened = { user: '10001:10001', capDrop: ['ALL'], securityOpt: ['no-new-privileges:true'], readonlyRootfs: true };
    const containers = [base, { ...secretHolder, ...hardened }, { ...proxy, ...hardened }];
    const result = audit(containers, { backup: readBackupSettings({ COMPOSE_PROJECT_NAME: 'shop' }), newest: { missing: 'no set of shop in /b yet' } });
    assert.deepEqual(
      result.findings.filter((f) => f.severity !== 'medium').map((f) => `${f.severity} ${f.check} ${f.service}`),
      [],
    );
    assert.equal(result.exitCode, 0);
    // The report's summary: one line per kind of finding, with the services it concerns.
    const lines = summarize(result.findings);
    assert.deepEqual(lines.find((l) => l.check === 'docker-socket')?.services, ['healer']);
    const section = renderAudit(result).join('\n');
    assert.match(section, /^## Security audit$/m);
    assert.match(section, /\*\*0 high, \d+ medium, 0 low\*\* \(passes: no high finding\)\. 3 published ports, all on loopback\./);
    assert.match(
      section,
      /^\| medium \| docker-socket \| holds the Docker socket read-only \(which stops no API call\), for: restarts unhealthy containers \| healer \|$/m,
    );
    const loosened = audit([...containers, { ...base, service: 'added', name: 'shop-added-1', user: '', capDrop: [] }]);
    assert.deepEqual(
      loosened.findings.filter((f) => f.severity === 'high').map((f) => `${f.check} ${f.service}`),
      ['root-user added', 'cap-drop added'],
    );
    assert.equal(loosened.exitCode, 1);
    assert.deepEqual(renderAudit({ missing: 'no container of project shop is running' }), [
      '## Security audit',
      '',
      'Not measured: no container of project shop is running. Run `make audit`.',
      '',
    ]);
  });
});

describe('inspect parsing for the audit', () => {
  it('reads user, capabilities, options, bindings, mounts, environment and command', () => {
    const [c] = fixture('secret-env');
    assert.equal(c.name, 'shop-db-1');
    assert.equal(c.service, 'db');
    assert.deepEqual(c.ports, [{ containerPort: '3000/tcp', hostIp: '127.0.0.1', hostPort: 3000 }]);
    assert.deepEqual(c.capDrop, ['ALL']);
    assert.deepEqual(c.securityOpt, ['no-new-privileges:true']);
    assert.deepEqual(c.env[0], { name: 'POSTGRES_USER', value: 'shop' });
    assert.deepEqual(c.command, ['/usr/local/bin/app', '--requirepass', 'Fixture-not-a-real-secret-0123456']);
    // An exposed port without a binding (null) publishes nothing.
    assert.deepEqual(fixture('root')[0].ports, []);
  });
});
