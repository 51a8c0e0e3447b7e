// What the cluster test and the cluster bench read of a swarm stack: the nodes a service's tasks run
// on, a bounded wait for a condition, and the reference stores' clients inside their tasks.
import assert from 'node:assert/strict';
import { $ } from 'zx';

/** The node of each running task of a stack's service, one entry per task. */
export async function taskNodes(project: string, service: string): Promise<string[]> {
  const out = await $({
    quiet: true,
  })`docker service ps ${`${project}_${service}`} --filter desired-state=running --format ${'{{.Node}} {{.CurrentState}}'}`;
  return out.stdout
    .split('\n')
    .filter((l) => l.includes(' Running'))
    .map((l) => l.split(' ')[0]);
}

/** Seconds until `check` holds, asked once a second; an error after `seconds`. */
export async function until(what: string, check: () => Promise<boolean>, seconds: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > seconds * 1000) throw new Error(`${what}: not within ${seconds}s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  return (Date.now() - started) / 1000;
}

/** A command in the one task container of a stack's service on this node (the manager, where the stores run). */
async function inTask(project: string, service: string, command: string[]): Promise<string> {
  const id = (await $({ quiet: true })`docker ps --quiet --filter ${`label=com.docker.swarm.service.name=${project}_${service}`}`).stdout.trim();
  assert.ok(id && !id.includes('\n'), `one task container of ${service} on this node: ${id}`);
  return (await $({ quiet: true })`docker exec ${id} ${command}`).stdout.trim();
}

/** psql, redis-cli and a SQLite statement inside the reference stores' tasks (postgres, redis, memory-api). */
export function storeClients(project: string) {
  return {
    psql: (sql: string) =>
      inTask(project, 'postgres', ['sh', '-c', 'exec psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -v ON_ERROR_STOP=1 -At -c "$1"', 'sh', sql]),
    redisCli: (...args: string[]) => inTask(project, 'redis', ['redis-cli', '--no-auth-warning', ...args]),
    sqlite: (sql: string) =>
      inTask(project, 'memory-api', [
        'python3',
        '-c',
        'import os, sqlite3, sys; db = sqlite3.connect(os.environ["MEMORY_DB_PATH"]); r = db.execute(sys.argv[1]).fetchall(); db.commit(); print(r)',
        sql,
      ]),
  };
}
