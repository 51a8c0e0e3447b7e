// Recovery of every service the watcher guards (label galaxy.autoheal=true, from the compose model)
// after a crash (the main process killed with SIGKILL: Docker's restart policy brings it back) and
// after a hang (every process of the container frozen with SIGSTOP: only the watcher's autoheal can
// notice). Timed from the fault until the service is back: its health URL answers 200 from the new
// start, or Docker reports it healthy when it publishes no URL; next to a manual
// `docker compose restart` of the same service.
import { $ } from 'zx';
import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { healthProbe } from '../../scripts/lib/health.ts';
import { containerPids, freshWatcher, removeTestWatcher, signalAll } from '../../test/harness/selfheal.ts';
import { figure, measurement, type Figure } from '../lib/figure.ts';
import type { BenchStack } from '../lib/stack.ts';
import { timed } from '../lib/stack.ts';
import { type Suite, type SuiteContext, type SuiteOutcome, repeat } from '../lib/suite.ts';
import { guardedServices } from '../lib/targets.ts';
import { ensureRunning } from './start.ts';

const CRASH_LIMIT_S = 120;
// The failed probes its healthcheck needs, the watcher's own poll, then a restart: well under three minutes.
const HANG_LIMIT_S = 180;

/** The service faults are applied to, and the URL that answers only when it does (none: Docker's health alone). */
interface Victim {
  service: string;
  url?: string;
  /** The admin credentials of a service that asks for them on every path (Alertmanager, Prometheus). */
  headers?: Record<string, string>;
}

async function containerId(stack: BenchStack, service: string): Promise<string> {
  const out = await stack.plain(['ps', '--quiet', service], '30s');
  const id = out.stdout.trim().split('\n')[0];
  if (!id) throw new Error(`${service} has no running container`);
  return id;
}

async function inspect(id: string): Promise<{ pid: number; health: string; restarts: number; startedAt: string }> {
  const out =
    await $`docker inspect --format ${'{{.State.Pid}} {{if .State.Health}}{{.State.Health.Status}}{{end}} {{.RestartCount}} {{.State.StartedAt}}'} ${id}`
      .quiet()
      .nothrow()
      .timeout('10s');
  const [pid, health, restarts, startedAt] = out.stdout.trim().split(' ');
  return { pid: Number(pid), health: health ?? '', restarts: Number(restarts), startedAt: startedAt ?? '' };
}

async function answers(url: string | undefined, headers: Record<string, string> = {}): Promise<boolean> {
  if (!url) return true;
  try {
    const r = await fetch(url, { headers, signal: AbortSignal.timeout(1000) });
    await r.arrayBuffer();
    return r.status === 200;
  } catch {
    return false;
  }
}

/**
 * Polls until the service is back in service after `beforeStart`: its health URL answers 200 from a
 * new start of the container, or, for a service without one, Docker reports the new start healthy.
 * Traffic comes back when the process answers (Docker's DNS does not wait for the health flag, which
 * follows within the 1 s start_interval). The container is asked by its id, which a restart keeps:
 * `docker compose ps` on every round cost about a second of CPU on a busy 2-core machine and
 * measured its own polling. Undefined on timeout.
 */
async function waitRecovered(stack: BenchStack, victim: Victim, id: string, beforeStart: string, limitS: number): Promise<number | undefined> {
  const started = performance.now();
  let current = id;
  while ((performance.now() - started) / 1000 < limitS) {
    // The URL first: while the service is down it fails at once (connection refused), without a process start.
    if (await answers(victim.url, victim.headers)) {
      const state = await inspect(current);
      if (!state.startedAt) current = await containerId(stack, victim.service).catch(() => current);
      else if (state.startedAt !== beforeStart && (victim.url || state.health === 'healthy')) return (performance.now() - started) / 1000;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

// Docker's restart policy waits 100 ms before restarting a crashed container, doubled after every
// crash of a container that ran under 10 s (its crash-loop backoff) and reset by one that ran
// longer. Runs back to back would measure that backoff (0.2, 0.4, 0.8, 1.6 s more), not a crash.
const RESTART_BACKOFF_RESET_S = 10;

/** Waits until the container has run long enough since its last start that Docker's backoff is reset. */
async function ranLongEnough(id: string): Promise<void> {
  const { startedAt } = await inspect(id);
  const ran = (Date.now() - Date.parse(startedAt)) / 1000;
  const wait = RESTART_BACKOFF_RESET_S + 1 - ran;
  if (Number.isFinite(wait) && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
}

/** Applies the fault and waits; `recovered: false` means the limit passed (seconds = time waited). */
async function fault(stack: BenchStack, victim: Victim, signal: 'KILL' | 'STOP', limitS: number): Promise<{ seconds: number; recovered: boolean }> {
  const id = await containerId(stack, victim.service);
  if (signal === 'KILL') await ranLongEnough(id);
  const before = await inspect(id);
  // A crash kills the main process; a hang freezes every process of the container (selfheal.ts says why).
  const frozen = signal === 'STOP' ? await containerPids(id) : [];
  const started = performance.now();
  if (signal === 'STOP') await signalAll(id, 'SIGSTOP', frozen);
  else await $`kill -${signal} ${before.pid}`.quiet().timeout('5s');
  const seconds = await waitRecovered(stack, victim, id, before.startedAt, limitS);
  if (seconds !== undefined) return { seconds, recovered: true };
  const waited = (performance.now() - started) / 1000;
  // Leave the stack usable for the next suite whatever happened.
  await signalAll(id, 'SIGCONT', frozen);
  await stack.plain(['restart', victim.service], '120s').catch(() => undefined);
  await stack.plain(['up', '--detach', '--wait', '--wait-timeout', '120'], '180s');
  return { seconds: waited, recovered: false };
}

/** The manual-restart comparison, then each fault `runs` times. */
async function measureOne(ctx: SuiteContext, stack: BenchStack, victim: Victim): Promise<Figure[]> {
  const { service } = victim;
  const manual = await repeat(ctx.runs, async () => {
    const id = await containerId(stack, service);
    const before = await inspect(id);
    const { seconds, result } = await timed(async () => {
      await stack.plain(['restart', service], '120s');
      return waitRecovered(stack, victim, id, before.startedAt, CRASH_LIMIT_S);
    });
    if (result === undefined) throw new Error(`${service} was not healthy ${CRASH_LIMIT_S}s after a manual restart`);
    return seconds;
  });
  const comparison = measurement(
    `manual restart of ${service}`,
    `docker compose restart ${service}; wait until healthy`,
    manual,
    's',
    'excludes the time a person needs to notice',
  );
  const figures: Figure[] = [];
  for (const [label, signal, limit] of [
    ['crash', 'KILL', CRASH_LIMIT_S],
    ['hang', 'STOP', HANG_LIMIT_S],
  ] as const) {
    const values: number[] = [];
    let failed = false;
    for (let run = 0; run < ctx.runs && !failed; run++) {
      if (signal === 'STOP') await freshWatcher(stack.inner, service);
      const { seconds, recovered } = await fault(stack, victim, signal, limit);
      ctx.log(`bench: ${label} run ${run + 1}: ${recovered ? `${seconds.toFixed(1)}s` : `not recovered within ${limit}s`}`);
      values.push(seconds);
      failed = !recovered;
    }
    // A run that never recovered is kept as what it measured: at least the time waited. One such
    // run ends the series, because waiting the limit again proves nothing more.
    const note = failed
      ? `NOT RECOVERED: ${service} was still not healthy ${limit}s after the ${label} (${label === 'hang' ? 'the watcher did not restart it' : 'the restart policy did not bring it back'}); the last value is the time waited, a lower bound`
      : undefined;
    const what = signal === 'STOP' ? `kill -STOP <every host pid of ${service}>` : `kill -KILL <host pid of ${service}>`;
    const command = `${what}; poll ${victim.url ? `GET ${new URL(victim.url).pathname} until 200 from a new start` : 'docker inspect until healthy'}`;
    figures.push(
      label === 'crash'
        ? figure('recovery.crash', command, values, { subject: service, note, comparison })
        : figure('recovery.hang', command, values, { subject: service, note, comparison }),
    );
  }
  return figures;
}

export const recoverySuite: Suite = {
  name: 'recovery',
  what: 'recovery of every service the watcher guards (galaxy.autoheal) after a crash (SIGKILL) and after a hang (SIGSTOP)',
  async run(ctx): Promise<SuiteOutcome> {
    const stack = await ensureRunning(ctx);
    const model = await stack.model();
    const values = parse(readFileSync(stack.envFile, 'utf8'));
    const victims: Victim[] = guardedServices(model).map((service) => {
      const probe = healthProbe(model, service, values);
      return { service, url: probe?.url, headers: probe?.headers };
    });
    if (!victims.length) throw new Error('no service is labelled galaxy.autoheal=true: nothing for the recovery bench to measure');
    const figures: Figure[] = [];
    // Only a watcher acts on a hang: without one the figure would measure its absence.
    try {
      for (const victim of victims) {
        ctx.log(`bench: recovery of ${victim.service} (${victim.url ?? "Docker's health only: it publishes no health URL"})`);
        figures.push(...(await measureOne(ctx, stack, victim)));
      }
    } finally {
      await removeTestWatcher(stack.inner);
    }
    return {
      figures,
      message:
        `every service labelled galaxy.autoheal=true (${victims.map((v) => v.service).join(', ')}). ` +
        'Timed from the signal until it is back: its health URL answers 200 from a new start of the container (polled every 100 ms by ' +
        "container id), or, for a service without a URL, Docker reports it healthy; Docker's own health flag follows within its 1 s start_interval. " +
        "A crash (SIGKILL of the main process) is handled by Docker's restart policy, each on a container that has run over 10 s " +
        "(Docker's crash-loop backoff, which doubles its 100 ms wait after every shorter run, is reset then); a hang (SIGSTOP of every " +
        "process of the container) only by the watcher (the stack's own, or a test watcher for this project when compose has none): its " +
        "liveness watch for the services it reaches, Docker's health_status event for the others. The watcher is restarted before each " +
        'hang, because its limit of 3 restarts per 10 minutes would otherwise refuse the fourth, and the hang comes once it watches the service again',
    };
  },
};
