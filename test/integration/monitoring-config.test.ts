// The Prometheus configuration, checked by the tool of the image that will run it: promtool
// (config, web config, rules, rule unit tests); the Alertmanager's is alertmanager-config.test.ts.
// Image: PROMETHEUS_IMAGE when set, else the offline stand-in named in
// images/offline/manifest.json. Every check also runs on a deliberately broken copy, so a
// check that passes everything would fail here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ensureWebConfig } from '../../scripts/lib/admin-auth.ts';
import { dockerRun, toolScratch, toolImage } from '../helpers/tool-images.ts';
import { listYaml, monitoringDir, readRules, ruleCountOf, ruleTestsDir, rulesDir } from '../helpers/monitoring.ts';

const PROMETHEUS = toolImage('prometheus');

const promDir = path.join(monitoringDir, 'prometheus');
const ruleFiles = listYaml(rulesDir);
const testFiles = listYaml(ruleTestsDir);
const ruleCount = ruleFiles.map(ruleCountOf).reduce((a, b) => a + b, 0);
const sumFound = (out: string): number => [...out.matchAll(/SUCCESS: (\d+) rules found/g)].reduce((n, m) => n + Number(m[1]), 0);

const scratch = toolScratch(PROMETHEUS, 'galaxy-moncfg-');

/** A world-readable copy of monitoring/prometheus (the images run as nobody). */
function copyProm(name: string): string {
  const dir = path.join(scratch(), name);
  fs.cpSync(promDir, dir, { recursive: true });
  return dir;
}

test('promtool check config: valid, and loads every rule file', () => {
  const r = dockerRun(PROMETHEUS, 'promtool', [[promDir, '/etc/prometheus']], ['check', 'config', '/etc/prometheus/prometheus.yml']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SUCCESS: \/etc\/prometheus\/prometheus.yml is valid prometheus config file syntax/);
  assert.equal(sumFound(r.out), ruleCount, r.out);
});

test('promtool check web-config: the admin web config make start writes, and admin-client.sh', () => {
  const dir = path.join(scratch(), 'admin');
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  ensureWebConfig(path.join(dir, 'web.yml'), { user: 'ops', password: 'pw-value' });
  const ok = dockerRun(PROMETHEUS, 'promtool', [[dir, '/etc/galaxy']], ['check', 'web-config', '/etc/galaxy/web.yml']);
  assert.equal(ok.code, 0, ok.out);
  fs.writeFileSync(path.join(dir, 'bad.yml'), 'basic_auth_users:\n  ops: not-a-bcrypt-hash\n', { mode: 0o644 });
  const bad = dockerRun(PROMETHEUS, 'promtool', [[dir, '/etc/galaxy']], ['check', 'web-config', '/etc/galaxy/bad.yml']);
  assert.notEqual(bad.code, 0, 'a plain-text password is refused');
  // admin-client.sh: the credentials as private files and an http config the tools accept, then the program.
  const client = path.join(monitoringDir, 'admin-client.sh');
  const show = 'stat -c "%a %U" /tmp/galaxy-admin/password; cat /tmp/galaxy-admin/username; echo; cat /tmp/galaxy-admin/http.yml';
  const written = dockerRun(PROMETHEUS, '/bin/sh', [[client, '/etc/galaxy/admin-client.sh']], ['/etc/galaxy/admin-client.sh', '/bin/sh', '-c', show], {
    ADMIN_USER: 'ops',
    ADMIN_PASSWORD: 'pw-value',
  });
  assert.equal(written.code, 0, written.out);
  assert.match(written.out, /^600 nobody\nops\n/);
  assert.match(written.out, /password_file: \/tmp\/galaxy-admin\/password/);
  const refused = dockerRun(PROMETHEUS, '/bin/sh', [[client, '/etc/galaxy/admin-client.sh']], ['/etc/galaxy/admin-client.sh', 'true']);
  assert.equal(refused.code, 2);
  assert.match(refused.out, /ADMIN_PASSWORD is empty/);
});

test('promtool check config fails on a broken config', () => {
  const dir = copyProm('broken-config');
  // A second scrape config under the name of one the file already has.
  const job = /job_name: (\S+)/.exec(fs.readFileSync(path.join(dir, 'prometheus.yml'), 'utf8'))?.[1];
  assert.ok(job, 'prometheus.yml names a scrape job');
  fs.appendFileSync(path.join(dir, 'prometheus.yml'), `\n  - job_name: ${job}\n    static_configs: [{ targets: ["x:1"] }]\n`);
  const r = dockerRun(PROMETHEUS, 'promtool', [[dir, '/etc/prometheus']], ['check', 'config', '/etc/prometheus/prometheus.yml']);
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.out, new RegExp(`found multiple scrape configs with job name "${job}"`));
});

test(`promtool check rules: ${ruleFiles.length} files, ${ruleCount} rules`, () => {
  assert.ok(ruleCount >= 16, `only ${ruleCount} rules`);
  const r = dockerRun(
    PROMETHEUS,
    'promtool',
    [[promDir, '/etc/prometheus']],
    ['check', 'rules', ...ruleFiles.map((f) => `/etc/prometheus/rules/${path.basename(f)}`)],
  );
  assert.equal(r.code, 0, r.out);
  assert.equal(sumFound(r.out), ruleCount, r.out);
});

test('promtool check rules fails on a bad expression', () => {
  const dir = copyProm('broken-rules');
  const file = path.join(dir, 'rules', 'datastores.yml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('expr: pg_up == 0', 'expr: pg_up == == 0'));
  const r = dockerRun(PROMETHEUS, 'promtool', [[dir, '/etc/prometheus']], ['check', 'rules', '/etc/prometheus/rules/datastores.yml']);
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.out, /parse error/);
});

test(`promtool test rules: all ${testFiles.length} test files pass`, () => {
  assert.equal(testFiles.length, ruleFiles.length, 'one test file per rules file');
  const r = dockerRun(
    PROMETHEUS,
    'promtool',
    [[promDir, '/etc/prometheus']],
    ['test', 'rules', ...testFiles.map((f) => `/etc/prometheus/tests/${path.basename(f)}`)],
  );
  assert.equal(r.code, 0, r.out);
  assert.equal([...r.out.matchAll(/Unit Testing: /g)].length, testFiles.length, r.out);
  assert.equal([...r.out.matchAll(/^\s+SUCCESS$/gm)].length, testFiles.length, r.out);
});

test('promtool test rules catches every rule that never fires and every rule that always fires', () => {
  // Mutants: for each rule, one copy where it can never fire and one where it always fires.
  // The unit tests must fail on every mutant, or some rule's firing or silent case is untested.
  const mutants: string[] = [];
  for (const file of ruleFiles) {
    const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { groups: { rules: { alert?: string; expr: string }[] }[] };
    doc.groups.forEach((g, gi) =>
      g.rules.forEach((rule, ri) => {
        // Alerts only: recording rules are checked by value (promql_expr_test in the same files).
        if (!rule.alert) return;
        for (const [kind, expr] of [
          ['never', 'vector(1) == 2'],
          ['always', 'vector(1)'],
        ] as const) {
          const name = `${rule.alert}-${kind}`;
          const dir = copyProm(path.join('mutants', name));
          const copy = structuredClone(doc);
          copy.groups[gi].rules[ri].expr = expr;
          fs.writeFileSync(path.join(dir, 'rules', path.basename(file)), YAML.stringify(copy));
          mutants.push(`${name}:${path.basename(file, '.yml')}`);
        }
      }),
    );
  }
  // Control: an unmutated copy run by the same loop must pass, so a failure of every mutant
  // cannot come from a wrong path or a missing tool.
  const control = copyProm(path.join('mutants', 'control'));
  assert.ok(fs.existsSync(control));
  const controls = testFiles.map((f) => `control:${path.basename(f, '.test.yml')}`);
  fs.chmodSync(path.join(scratch(), 'mutants'), 0o755);
  // One container for all mutants: a shell loop prints "<mutant> <exit code>".
  const script = 'for m in "$@"; do n=${m%%:*}; f=${m#*:}; promtool test rules /m/$n/tests/$f.test.yml >/dev/null 2>&1; echo "$n $?"; done';
  const r = dockerRun(PROMETHEUS, 'sh', [[path.join(scratch(), 'mutants'), '/m']], ['-c', script, 'sh', ...controls, ...mutants]);
  assert.equal(r.code, 0, r.out);
  const all = r.out.trim().split('\n');
  assert.deepEqual(
    all.slice(0, controls.length),
    controls.map(() => 'control 0'),
    'the unmutated rules must pass',
  );
  const lines = all.slice(controls.length);
  assert.equal(lines.length, mutants.length, r.out);
  assert.equal(mutants.length, ruleFiles.flatMap(readRules).length * 2, 'two mutants per alerting rule');
  const survived = lines.filter((l) => l.endsWith(' 0')).map((l) => l.split(' ')[0]);
  assert.deepEqual(survived, [], 'mutants the rule tests did not catch');
});
