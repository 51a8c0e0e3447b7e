// What the cluster test and the cluster bench read of a swarm stack: the nodes a service's tasks run
// on, and a bounded wait for a condition.
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
