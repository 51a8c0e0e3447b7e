// Waits for a set of services to become healthy, drawing live progress, using compose's own --wait
// for the verdict (it knows healthchecks, one-shot services and dependencies).
import type { ComposeContext, ComposeModel } from './compose.ts';
import { compose } from './docker/client.ts';
import { listContainers, readiness } from './docker/containers.ts';
import { OperationError, lastLine } from './errors.ts';
import { LiveStatus, formatDuration, green, interactive, red, stripAnsi, yellow } from './output.ts';

function describe(state: string, health: string): string {
  if (state !== 'running') return red(state || 'missing');
  if (!health || health === 'healthy') return green(health || 'running');
  return health === 'starting' ? yellow(health) : red(health);
}

export async function lastLogLines(ctx: ComposeContext, service: string, lines = 30): Promise<string> {
  const out = await compose(ctx, ['logs', '--no-color', '--tail', String(lines), service], { timeout: '20s' }).nothrow();
  return stripAnsi(out.stdout).trim() || '(no log output)';
}

/** Runs `compose up` for the services (all when empty) and waits until every one is healthy. */
export async function upAndWait(ctx: ComposeContext, model: ComposeModel, services: string[], extraUpArgs: string[], timeoutSeconds: number): Promise<number> {
  const started = performance.now();
  const targets = services.length ? services : model.services.map((s) => s.name);
  const up = compose(ctx, ['up', '--detach', '--wait', '--wait-timeout', String(timeoutSeconds), ...extraUpArgs, ...services]).nothrow();
  const display = new LiveStatus();
  let finished = false;
  void up.then(() => (finished = true));
  const draw = async () => {
    const containers = await listContainers(ctx).catch(() => []);
    const elapsed = formatDuration((performance.now() - started) / 1000);
    display.update(
      targets.map((name) => {
        const c = containers.find((row) => row.service === name && row.status === 'running') ?? containers.find((row) => row.service === name);
        return [name, `  ${name.padEnd(20)} ${describe(c?.status ?? '', c?.health ?? '')}${interactive ? `  (${elapsed})` : ''}`];
      }),
    );
  };
  while (!finished) {
    await draw();
    await Promise.race([up, new Promise((resolve) => setTimeout(resolve, 700))]);
  }
  await draw();
  const result = await up;
  if (result.exitCode === 0) return (performance.now() - started) / 1000;
  const containers = await listContainers(ctx).catch(() => []);
  const notReady = targets.filter((name) => readiness(containers.find((row) => row.service === name && row.status === 'running')).verdict !== 'ready');
  // Name the services that failed themselves, not the ones only waiting on them (dependants).
  const broken = notReady.filter((name) => containers.some((row) => row.service === name && readiness(row).verdict === 'failed'));
  const failing = broken.length ? broken : notReady;
  const logs = await Promise.all(failing.map(async (name) => `--- last log lines of ${name} ---\n${await lastLogLines(ctx, name)}`));
  const reason = lastLine(result.stderr);
  throw new OperationError(
    failing.length
      ? `${failing.join(', ')} did not become healthy within ${timeoutSeconds}s: read the log lines above, then 'make logs service=${failing[0]}'`
      : 'docker compose up failed: ' + reason,
    1,
    [...logs, reason && `compose: ${reason}`].filter(Boolean).join('\n'),
  );
}
