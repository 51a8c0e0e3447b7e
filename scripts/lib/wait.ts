// Waits for a set of services to become healthy, drawing live progress, using compose's own --wait
// for the verdict (it knows healthchecks, one-shot services and dependencies). Compose waits its
// whole timeout for a service that has already given up, so a watcher (start-watch.ts) ends the
// wait at once when a service exits, crash-loops or cannot log in to a store.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ComposeContext, ComposeModel } from './compose.ts';
import { compose } from './docker/client.ts';
import { allProjectContainers, listContainers, readiness } from './docker/containers.ts';
import { readTable, receivesOn } from './docker/sockets.ts';
import { containerLogsOverSocket } from './docker/engine-api.ts';
import { type WatchedContainer, watchContainers } from './docker/watch.ts';
import { OperationError, lastLine } from './errors.ts';
import { findLoginFailure, storeKindOf, storeLogsLoginFailures, storeService } from './login-failure.ts';
import { LiveStatus, formatDuration, green, interactive, red, stripAnsi, yellow } from './output.ts';
import { START_MAX_RESTARTS, type StartSnapshot, judgeStart } from './start-watch.ts';

function describe(state: string, health: string): string {
  if (state !== 'running') return red(state || 'missing');
  if (!health || health === 'healthy') return green(health || 'running');
  return health === 'starting' ? yellow(health) : red(health);
}

export async function lastLogLines(ctx: ComposeContext, service: string, lines = 30, since?: Date): Promise<string> {
  const sinceArgs = since ? ['--since', since.toISOString()] : [];
  const out = await compose(ctx, ['logs', '--no-color', '--tail', String(lines), ...sinceArgs, service], { timeout: '20s' }).nothrow();
  return stripAnsi(out.stdout).trim() || '(no log output)';
}

/** Between polls of the containers while compose waits (one compose ps, one docker inspect each). */
const POLL_MS = 1000;
/** Between reads of the stores' own logs for refused logins (over the engine's socket when it can). */
const LOGIN_CHECK_MS = 3000;

/** The one line for credentials that the existing data does not accept (issue: a new .env beside old volumes). */
function credentialMismatch(client: string, store: string, details: string): OperationError {
  return new OperationError(
    `${client} cannot log in to ${store}: the .env passwords do not match the data in the existing volumes (a new .env beside old data). Put back the .env from the newest backup set, or remove the data with make stop ARGS=--remove-data`,
    1,
    details,
  );
}

/** A snapshot for the start watcher: each container's status, exit code, restart count and start time. */
function snapshotOf(rows: WatchedContainer[]): StartSnapshot {
  return {
    at: Date.now(),
    containers: rows.map((r) => ({ id: r.id, service: r.service, status: r.status, exitCode: r.exitCode, restarts: r.restarts, startedAt: r.startedAt })),
  };
}

/** The services `targets` need, themselves included (depends_on followed all the way). */
function withDependencies(model: ComposeModel, targets: string[]): ComposeModel['services'] {
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of model.services.find((s) => s.name === name)?.dependsOn ?? []) add(dep);
  };
  targets.forEach(add);
  return model.services.filter((s) => wanted.has(s.name));
}

/**
 * Watches a start while compose waits: the first service that exits or crash-loops, or a store
 * that logs a refused login, ends the wait at once with one line naming it (undefined: keep waiting).
 */
class StartWatcher {
  private readonly since = new Date();
  private readonly history: StartSnapshot[] = [];
  private lastLoginCheck = 0;
  private readonly stores: Array<{ name: string; kind: string }>;

  constructor(
    private readonly ctx: ComposeContext,
    private readonly model: ComposeModel,
    private readonly targets: string[],
  ) {
    this.stores = withDependencies(model, targets)
      .map((s) => ({ name: s.name, kind: storeKindOf(s.labels) ?? '' }))
      .filter((s) => storeLogsLoginFailures(s.kind));
  }

  async check(rows: WatchedContainer[]): Promise<OperationError | undefined> {
    this.history.push(snapshotOf(rows));
    // Enough history to judge an exit (two polls) and every restart since the start began.
    if (this.history.length > 600) this.history.splice(1, 1);
    const verdict = judgeStart(this.history, {
      since: this.since.getTime(),
      services: this.targets,
      completes: this.model.services.filter((s) => s.completes).map((s) => s.name),
      maxRestarts: START_MAX_RESTARTS,
    });
    if (verdict.verdict === 'failed') return this.serviceFailed(verdict.service, verdict.reason);
    if (Date.now() - this.lastLoginCheck < LOGIN_CHECK_MS) return undefined;
    this.lastLoginCheck = Date.now();
    return this.refusedLogin(rows);
  }

  private async serviceFailed(service: string, reason: string): Promise<OperationError> {
    const logs = await lastLogLines(this.ctx, service);
    const details = `--- last log lines of ${service} ---\n${logs}`;
    const login = findLoginFailure(logs);
    if (login) return credentialMismatch(service, storeService(this.model.services, login.kind), details);
    return new OperationError(
      `${service} ${reason} while starting, so the start stopped without waiting for its timeout: read the log lines above, then 'make logs service=${service}'`,
      1,
      details,
    );
  }

  /**
   * A service's lines since the start began. Read over the engine's socket by container id: a
   * `compose logs` every few seconds per store is a compose start each, CPU the starting services need.
   */
  private async logsSinceStart(rows: WatchedContainer[], service: string, lines: number): Promise<string> {
    const row = rows.find((r) => r.service === service && r.status === 'running') ?? rows.find((r) => r.service === service);
    if (!row) return ''; // not created yet: nothing written
    const fast = await containerLogsOverSocket(row.id, lines, this.since).catch(() => undefined);
    return fast === undefined ? lastLogLines(this.ctx, service, lines, this.since) : stripAnsi(fast).trim() || '(no log output)';
  }

  /**
   * A store that logged a refused login since the start began, named with the client whose own log
   * says so. Only containers this start (re)started count: while compose recreates a service, the
   * container of an earlier start can still be running with the old credentials, and its refusals
   * say nothing about the .env this start uses.
   */
  private async refusedLogin(rows: WatchedContainer[]): Promise<OperationError | undefined> {
    const since = this.since.getTime();
    const running = rows.filter((r) => r.status === 'running');
    const startedNow = (r: WatchedContainer) => r.startedAt !== undefined && Date.parse(r.startedAt) >= since;
    for (const store of this.stores) {
      const storeLog = await this.logsSinceStart(rows, store.name, 200);
      const refused = findLoginFailure(storeLog, [store.kind]);
      if (!refused) continue;
      // The store's log rarely names who tried: ask the other services' logs, those still starting
      // first (a client that cannot log in is rarely healthy), until one says so. Read once.
      const clients = running.filter((r) => r.service !== store.name && this.targets.includes(r.service));
      const fresh = clients.filter(startedNow).map((r) => r.service);
      const ready = (name: string) => readiness(clients.find((r) => r.service === name)).verdict === 'ready';
      for (const name of [...fresh.filter((n) => !ready(n)), ...fresh.filter(ready)]) {
        const logs = await this.logsSinceStart(rows, name, 50);
        if (findLoginFailure(logs, [store.kind]))
          return credentialMismatch(name, store.name, `--- last log lines of ${name} ---\n${logs}\n--- ${store.name} ---\n${refused.line}`);
      }
      // Unnamed only when no container of an earlier start is still running: it could be the one refused.
      if (clients.every(startedNow)) return credentialMismatch('a service', store.name, `--- ${store.name} ---\n${refused.line}`);
    }
    return undefined;
  }
}

/** Runs `compose up` for the services (all when empty) and waits until every one is healthy. */
export async function upAndWait(ctx: ComposeContext, model: ComposeModel, services: string[], extraUpArgs: string[], timeoutSeconds: number): Promise<number> {
  const started = performance.now();
  const targets = services.length ? services : model.services.map((s) => s.name);
  const watcher = new StartWatcher(ctx, model, targets);
  const up = compose(ctx, ['up', '--detach', '--wait', '--wait-timeout', String(timeoutSeconds), ...extraUpArgs, ...services]).nothrow();
  const display = new LiveStatus();
  let finished = false;
  void up.then(() => (finished = true));
  const draw = async () => {
    const containers = await watchContainers(ctx, model.project).catch(() => []);
    const elapsed = formatDuration((performance.now() - started) / 1000);
    display.update(
      targets.map((name) => {
        const c = containers.find((row) => row.service === name && row.status === 'running') ?? containers.find((row) => row.service === name);
        return [name, `  ${name.padEnd(20)} ${describe(c?.status ?? '', c?.health ?? '')}${interactive ? `  (${elapsed})` : ''}`];
      }),
    );
    return containers;
  };
  let failure: OperationError | undefined;
  while (!finished && !failure) {
    const containers = await draw();
    failure = finished ? undefined : await watcher.check(containers).catch(() => undefined);
    // Unreferenced: a pending poll timer would hold the finished command open for up to a second
    // (compose's child process keeps node alive while it runs).
    if (!failure) await Promise.race([up, sleep(POLL_MS, undefined, { ref: false })]);
  }
  if (failure) {
    // Compose would keep waiting for a service that will not come: end it (the containers stay as
    // they are, for `make logs`), then say what failed.
    // (kill throws at once when compose ended between the last poll and here.)
    await Promise.resolve()
      .then(() => up.kill())
      .catch(() => undefined);
    await up;
    await draw();
    throw failure;
  }
  await draw();
  const result = await up;
  if (result.exitCode === 0) return (performance.now() - started) / 1000;
  const containers = await listContainers(ctx).catch(() => []);
  const notReady = targets.filter((name) => readiness(containers.find((row) => row.service === name && row.status === 'running')).verdict !== 'ready');
  // Name the services that failed themselves, not the ones only waiting on them (dependants).
  const broken = notReady.filter((name) => containers.some((row) => row.service === name && readiness(row).verdict === 'failed'));
  const failing = broken.length ? broken : notReady;
  const tails = await Promise.all(failing.map(async (name) => ({ name, log: await lastLogLines(ctx, name) })));
  const logs = tails.map(({ name, log }) => `--- last log lines of ${name} ---\n${log}`);
  const reason = lastLine(result.stderr);
  const refused = tails.map(({ name, log }) => ({ name, login: findLoginFailure(log) })).find((t) => t.login);
  // Said in the details: this path ran only after compose's whole wait (the start watcher missed the refused login).
  const waited = `compose waited its whole ${timeoutSeconds}s${reason ? `: ${reason}` : ''}`;
  if (refused?.login) throw credentialMismatch(refused.name, storeService(model.services, refused.login.kind), [...logs, waited].join('\n'));
  throw new OperationError(
    failing.length
      ? `${failing.join(', ')} did not become healthy within ${timeoutSeconds}s: read the log lines above, then 'make logs service=${failing[0]}'`
      : 'docker compose up failed: ' + reason,
    1,
    [...logs, reason && `compose: ${reason}`].filter(Boolean).join('\n'),
  );
}

/**
 * Starts receivers (the log store) and returns once each one's process has its published ports open
 * in its own network namespace: all others need before they send it their first lines. Its health
 * verdict is the next upAndWait's, beside the others': a separate wait for healthy cost a health
 * check round (a docker exec) on every start. Where the tables cannot be read (an engine in a VM,
 * rootless), or a receiver does not come up, it falls back to upAndWait, which explains a failure.
 * `alreadyUp`: compose has started them with this very context (logs/first.ts); only the wait is left.
 */
export async function upUntilReceiving(
  ctx: ComposeContext,
  model: ComposeModel,
  services: string[],
  timeoutSeconds: number,
  options: { alreadyUp?: boolean } = {},
): Promise<void> {
  const receivers = model.services.filter((s) => services.includes(s.name));
  const fallback = () => upAndWait(ctx, model, services, [], timeoutSeconds).then(() => undefined);
  if (receivers.some((s) => !s.ports.length)) return fallback();
  if (!options.alreadyUp && (await compose(ctx, ['up', '--detach', ...services]).nothrow()).exitCode !== 0) return fallback();
  // Bounded well under the timeout: a process that has not opened its port in that time is judged
  // by the health wait, which names what is wrong.
  const deadline = performance.now() + Math.min(timeoutSeconds, 30) * 1000;
  while (performance.now() < deadline) {
    const containers = await allProjectContainers(model.project).catch(() => []);
    const states = receivers.flatMap((svc) => {
      const c = containers.find((row) => row.service === svc.name && row.running);
      if (!c) return ['closed'];
      return svc.ports.map((p) => {
        const protocol = p.protocol ?? 'tcp';
        const table = readTable(c.pid, protocol);
        return table === undefined ? 'unreadable' : receivesOn(table, p.target, protocol) ? 'open' : 'closed';
      });
    });
    if (states.includes('unreadable')) return fallback();
    if (states.every((state) => state === 'open')) return;
    await sleep(100);
  }
  return fallback();
}
