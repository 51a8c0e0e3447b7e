// One Docker client (issue 11): every `docker` and `docker compose` call goes through
// scripts/lib/docker/. This scans the scripts' source and names each other file that spawns docker,
// and checks the client's pure parts: the compose command line and the one readiness rule.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { composeCall, composeCommandLine, composeFiles, execOnTask, oneOffOnNode } from '../../scripts/lib/docker/client.ts';
import { type ContainerInfo, parseInspect, readiness } from '../../scripts/lib/docker/containers.ts';
import { lastLine, lastLines, processFailure } from '../../scripts/lib/errors.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const allowed = ['scripts/lib/docker/', 'scripts/lib/discovery/'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? tsFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** Lines of source that start a docker process: a zx template, a shell pipe, or a spawn argument. */
export function dockerSpawns(source: string): number[] {
  const patterns = [
    /\$(?:\([^`]*?\))?`\s*docker\b/, // $`docker ...`, $({ env })`docker ...`
    /`[^`]*[|;&]\s*docker\s/, // $`tar ... | docker import ...`
    /\b(?:spawn|spawnSync|execFile|execFileSync|execa)\(\s*['"`]docker['"`]/, // spawn('docker', ...)
  ];
  return source.split('\n').flatMap((line, index) => {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return [];
    return patterns.some((p) => p.test(line)) ? [index + 1] : [];
  });
}

test('the scanner sees each way of starting docker and ignores mentions', () => {
  const source = [
    'const a = await $`docker inspect ${id}`.quiet();', // 1
    'const b = $({ cwd: projectRoot, env })`docker ${args}`;', // 2
    'await $`tar -C ${dir} -c . | docker import - ${tag}`;', // 3
    "const c = spawn('docker', [...args]);", // 4
    '// `docker stop` returns when the process exits', // 5
    'const d = await $`command -v docker`.nothrow();', // 6
    "throw new OperationError('no Docker engine answers: start dockerd');", // 7
    'const e = spawnSync("docker", ["ps"]);', // 8
  ].join('\n');
  assert.deepEqual(dockerSpawns(source), [1, 2, 3, 4, 8]);
});

test('no file outside scripts/lib/docker/ spawns docker', () => {
  const offenders = tsFiles(path.join(root, 'scripts'))
    .map((file) => path.relative(root, file).split(path.sep).join('/'))
    .filter((file) => !allowed.some((dir) => file.startsWith(dir)))
    .flatMap((file) => dockerSpawns(readFileSync(path.join(root, file), 'utf8')).map((line) => `${file}:${line}`));
  assert.deepEqual(offenders, [], `call scripts/lib/docker/ instead of spawning docker in:\n${offenders.join('\n')}`);
});

test('outside the client, docker commands are named functions: nothing imports the raw docker() call', () => {
  const raw = /import\s*\{[^}]*\bdocker\b[^}]*\}\s*from\s*['"][^'"]*docker\/client\.ts['"]/;
  const offenders = tsFiles(path.join(root, 'scripts'))
    .map((file) => path.relative(root, file).split(path.sep).join('/'))
    .filter((file) => !file.startsWith('scripts/lib/docker/') && raw.test(readFileSync(path.join(root, file), 'utf8')));
  assert.deepEqual(offenders, []);
});

test('compose command line: project directory, .env, files in order, profiles, then overrides', () => {
  const line = {
    projectDir: '/p',
    envFile: '/p/.env',
    files: ['/p/docker-compose.yml', '/p/docker-compose.prod.yml'],
    profiles: ['monitoring', 'grafana'],
    ansi: false,
  };
  assert.deepEqual(composeCommandLine(line), [
    'compose',
    '--project-directory',
    '/p',
    '--ansi',
    'never',
    '--env-file',
    '/p/.env',
    '-f',
    '/p/docker-compose.yml',
    '-f',
    '/p/docker-compose.prod.yml',
    '--profile',
    'monitoring',
    '--profile',
    'grafana',
  ]);
  // A TTY keeps compose's colours; no .env means no --env-file; a deploy's overrides come last.
  assert.deepEqual(composeCommandLine({ ...line, ansi: true, envFile: undefined, profiles: [], extraFiles: ['/t/portless.yml'] }), [
    'compose',
    '--project-directory',
    '/p',
    '-f',
    '/p/docker-compose.yml',
    '-f',
    '/p/docker-compose.prod.yml',
    '-f',
    '/t/portless.yml',
  ]);
});

test('compose files of each mode', () => {
  assert.deepEqual(
    composeFiles('default').map((f) => path.basename(f)),
    ['docker-compose.yml'],
  );
  assert.deepEqual(
    composeFiles('dev').map((f) => path.basename(f)),
    ['docker-compose.yml', 'docker-compose.dev.yml'],
  );
});

test('docker-compose.adopted.yml (make adopt) is layered right after the base file when it exists, before the mode', () => {
  const system = mkdtempSync(path.join(tmpdir(), 'galaxy-adopted-'));
  try {
    writeFileSync(path.join(system, 'docker-compose.adopted.yml'), 'services: {}\n');
    assert.deepEqual(
      composeFiles('prod', system).map((f) => path.relative(system, f)),
      ['docker-compose.yml', 'docker-compose.adopted.yml', 'docker-compose.prod.yml'],
    );
  } finally {
    rmSync(system, { recursive: true, force: true });
  }
});

test('inspect: one container type with compose service, image, restarts, namespace pid and addresses', () => {
  const raw = [
    {
      Id: 'abc',
      Name: '/g-backend-2',
      RestartCount: 1,
      Config: { Image: 'galaxy/backend:v2', Labels: { 'com.docker.compose.service': 'backend' } },
      State: { Status: 'running', Running: true, StartedAt: '2026-12-01T10:00:00Z', Pid: 4242, Health: { Status: 'healthy', Log: [] } },
      NetworkSettings: { Networks: { galaxy_default: { IPAddress: '172.20.0.5' }, other: { IPAddress: '' } } },
    },
  ];
  assert.deepEqual(parseInspect(JSON.stringify(raw)), [
    {
      id: 'abc',
      name: 'g-backend-2',
      service: 'backend',
      image: 'galaxy/backend:v2',
      status: 'running',
      health: 'healthy',
      restarts: 1,
      running: true,
      startedAt: '2026-12-01T10:00:00Z',
      probesTimedOut: false,
      pid: 4242,
      ips: ['172.20.0.5'],
    },
  ]);
});

test('readiness: a new container seen by inspect (deploy)', () => {
  const c = (over: Partial<ContainerInfo>): ContainerInfo => ({
    id: 'x',
    name: 'x',
    service: 's',
    image: 'i',
    status: 'running',
    health: 'starting',
    restarts: 0,
    running: true,
    startedAt: '',
    probesTimedOut: false,
    pid: 1,
    ips: [],
    ...over,
  });
  assert.equal(readiness(c({})).verdict, 'waiting');
  assert.equal(readiness(c({ health: 'healthy' })).verdict, 'ready');
  assert.equal(readiness(c({ health: '' })).verdict, 'ready');
  assert.equal(readiness(c({ status: 'restarting', restarts: 1 })).verdict, 'waiting');
  assert.deepEqual(readiness(c({ status: 'restarting', restarts: 3 })), { verdict: 'failed', reason: 'the new container crashed 3 times' });
  assert.deepEqual(readiness(c({ health: 'unhealthy' })), { verdict: 'failed', reason: 'the new container reports unhealthy' });
  // Probes that only ran out of time on a saturated machine are not a verdict: keep waiting.
  assert.equal(readiness(c({ health: 'unhealthy', probesTimedOut: true })).verdict, 'waiting');
  assert.deepEqual(readiness(c({ status: 'exited' })), { verdict: 'failed', reason: 'the new container exited' });
  assert.deepEqual(readiness(undefined), { verdict: 'failed', reason: 'the new container disappeared' });
});

test('readiness: a compose ps row (health and wait), which has no restart count', () => {
  const row = (status: string, health: string) => ({ status, health });
  assert.equal(readiness(row('running', 'healthy')).verdict, 'ready');
  assert.equal(readiness(row('running', '')).verdict, 'ready');
  assert.equal(readiness(row('running', 'starting')).verdict, 'waiting');
  assert.equal(readiness(row('running', 'unhealthy')).verdict, 'failed');
  assert.equal(readiness(row('restarting', '')).verdict, 'failed');
  assert.equal(readiness(row('dead', '')).verdict, 'failed');
  assert.equal(readiness(row('created', '')).verdict, 'waiting');
});

test('a failed process: its last line as the reason, its last lines as details', () => {
  assert.equal(lastLine('one\ntwo\n\n'), 'two');
  assert.equal(lastLine('  \n', 'no output'), 'no output');
  assert.equal(lastLines('a\nb\nc\n', 2), 'b\nc');
  const err = processFailure('building x failed', `${Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n')}\n`);
  assert.equal(err.message, 'building x failed');
  assert.equal(err.exitCode, 1);
  assert.equal(err.details?.split('\n').length, 25);
  assert.equal(err.details?.split('\n').at(-1), 'line 29');
});

test('swarm mode: a store exec goes to the task container on this node, a one-off to docker run of its task spec; every other call stays compose', () => {
  const oneOffs = {
    redis: { image: 'galaxy/redis@sha256:ab', user: '999:999', mounts: [{ source: 'gx_redis-data', target: '/data' }] },
    files: {
      image: 'galaxy/python',
      user: '',
      mounts: [
        { source: 'gx_a', target: '/a' },
        { source: 'gx_b', target: '/b' },
      ],
    },
  };
  const targets = { containers: { postgres: 'c0ffee', 'memory-api': 'beef' }, oneOffs };
  const onSwarm = (args: string[]) => composeCall({ mode: 'default', env: {}, profiles: [], target: 'swarm', execTargets: targets }, args);
  // Every one-off: removed afterwards, stdin open, no network.
  const oneOff = ['run', '--rm', '-i', '--network', 'none'];
  assert.deepEqual(onSwarm(['exec', '-T', 'postgres', 'pg_dump', '-Fc']), ['exec', '-i', 'c0ffee', 'pg_dump', '-Fc']);
  // The service's user and volumes.
  assert.deepEqual(onSwarm(['run', '--rm', '--no-deps', '-T', '--entrypoint', 'sh', 'redis', '-c', 'x']), [
    ...oneOff,
    ...['--user', '999:999', '--volume', 'gx_redis-data:/data', '--entrypoint', 'sh', 'galaxy/redis@sha256:ab', '-c', 'x'],
  ]);
  // The call's own user, capabilities and anonymous volume win over and add to the spec.
  assert.deepEqual(
    onSwarm(['run', '--rm', '--no-deps', '-T', '--user', '0:0', '--cap-add', 'CHOWN', '--volume', '/.stage', '--entrypoint', 'tar', 'files', '-cf', '-']),
    [
      ...oneOff,
      ...[
        '--user',
        '0:0',
        '--volume',
        'gx_a:/a',
        '--volume',
        'gx_b:/b',
        '--cap-add',
        'CHOWN',
        '--volume',
        '/.stage',
        '--entrypoint',
        'tar',
        'galaxy/python',
        '-cf',
        '-',
      ],
    ],
  );
  assert.throws(() => onSwarm(['run', '--rm', '-T', '--entrypoint', 'sh', 'postgres', '-c', 'x']), /postgres is not a service of the swarm stack/);
  assert.throws(() => onSwarm(['run', '--rm', '-p', '80:80', 'redis', 'sh']), /cannot carry compose's -p/);
  assert.equal(execOnTask(['exec', '-T', 'redis', 'redis-cli'], targets), undefined);
  assert.equal(execOnTask(['stop', 'postgres'], targets), undefined);
  assert.equal(execOnTask(['exec', '-T', 'postgres', 'psql'], undefined), undefined);
  assert.equal(onSwarm(['stop', 'postgres']).at(-2), 'stop');
});

test('compose mode: a store exec goes to the running container read once, a one-off stays compose (its service may be stopped)', () => {
  const targets = { containers: { postgres: 'c0ffee', files: 'f00d' } };
  assert.deepEqual(execOnTask(['exec', '-T', 'postgres', 'psql', '-At'], targets), ['exec', '-i', 'c0ffee', 'psql', '-At']);
  assert.equal(execOnTask(['run', '--rm', '--no-deps', '-T', '--entrypoint', 'tar', 'files', '-cf', '-'], targets), undefined);
  assert.equal(oneOffOnNode(['run', '--rm', '--no-deps', '-T', '--entrypoint', 'tar', 'files', '-cf', '-'], undefined), undefined);
  assert.equal(execOnTask(['exec', '-T', 'redis', 'redis-cli'], targets), undefined);
});
