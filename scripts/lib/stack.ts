// Prepares the compose context every command runs in: engine, .env, image source, saved mode.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { ComposeContext, StackMode } from './compose.ts';
import { adminCredentials, ensureWebConfig } from './admin-auth.ts';
import { engineSocketGroup, ensureEngine } from './engine.ts';
import { composeDefaults } from './compose-defaults.ts';
import { askEngine, composeFiles } from './docker/client.ts';
import { addMissingSecrets, ensureEnvFile, loadEnv, readEnvText, readProjectName, setEnvValues, writeFileAtomic } from './env.ts';
import { loadManifest } from './images/manifest.ts';
import { OperationError, UsageError } from './errors.ts';
import { deployedVersionEnv } from './deploy/state.ts';
import { buildOfflineImages } from './images/build.ts';
import { resolveImageSource } from './images/source.ts';
import { info } from './output.ts';
import { envFile } from './paths.ts';
import { ensureStoreDir } from './logs/store.ts';
import { localIPv4Addresses } from './ports.ts';
import { ensureTlsPair } from './tls.ts';
import type { DeployTarget } from './swarm/settings.ts';
import { SWARM_PROFILE } from './swarm/stack-file.ts';
import { machineFiles, projectFiles, runDir } from './state/files.ts';

interface SavedState {
  mode: StackMode;
  /** Where the last start ran the stack (swarm/settings.ts); absent in states written before swarm mode. */
  target?: DeployTarget;
  env: Record<string, string>;
  profiles: string[];
}

/** --dev / --prod as parsed from a command line; both at once is a usage error. */
export function modeFromFlags(flags: { dev?: boolean; prod?: boolean }): StackMode {
  if (flags.dev && flags.prod) throw new UsageError('choose one of --dev and --prod');
  return flags.dev ? 'dev' : flags.prod ? 'prod' : 'default';
}

function stateFile(project: string): string {
  return projectFiles(project).stack;
}

function projectName(env: Record<string, string>): string {
  return env.COMPOSE_PROJECT_NAME || 'galaxy';
}

export interface PrepareOptions<Beside> {
  /**
   * Work that may begin with the context of the last start in this mode and target as soon as the
   * settings are valid and the engine answers, beside the image resolution (make start: the log
   * store). Not run on a first start, in another mode or target, or when the engine was down.
   * Awaited before prepareStack returns, its answer returned as `beside`: undefined when it did not
   * run or failed, which is then the caller's to redo.
   */
  beside?: (last: ComposeContext) => Promise<Beside>;
}

/** The context the last start ran with, when it was in this mode and target. */
function lastContext(project: string, mode: StackMode, target: DeployTarget): ComposeContext | undefined {
  const file = stateFile(project);
  if (!existsSync(file)) return undefined;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
    if (saved.mode !== mode || (saved.target ?? 'compose') !== target) return undefined;
    return { mode, target, env: { ...saved.env, ...deployedVersionEnv(project) }, profiles: saved.profiles };
  } catch {
    return undefined;
  }
}

/** For start: engine up, .env present and valid, images resolved; remembers the choices. */
export async function prepareStack<Beside = undefined>(
  mode: StackMode,
  target: DeployTarget = 'compose',
  options: PrepareOptions<Beside> = {},
): Promise<{ ctx: ComposeContext; values: Record<string, string>; beside?: Beside }> {
  // .env first: a settings mistake is refused before the engine is installed, started or asked.
  if (ensureEnvFile()) info('env: created .env from .env.example with generated secrets');
  for (const name of addMissingSecrets()) info(`env: added ${name} to .env with a generated value`);
  const values = loadEnv();
  const bind = values.PUBLIC_BIND;
  if (bind && bind !== '0.0.0.0' && !localIPv4Addresses().includes(bind))
    throw new UsageError(
      `.env has PUBLIC_BIND=${bind}, which is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of ${localIPv4Addresses().join(', ')}`,
    );
  if (mode === 'prod') {
    const tls = await ensureTlsPair(values, projectName(values), envFile);
    if (tls.generated)
      info(
        `tls: made a self-signed certificate for HTTPS (${tls.cert}); browsers warn until TLS_CERT_FILE and TLS_KEY_FILE in .env name your own pair (curl: --cacert ${tls.cert})`,
      );
  }
  // The registry probe needs only an engine that answers: asked beside the engine's facts (its
  // plugins' versions are a CLI start of their own) when one already does, after they are known
  // when make start has to start or install it.
  // Before any up, the early one included: Docker would create a missing bind source itself,
  // owned by root (logs/store.ts), and Swarm refuses the task outright (node-exporter's textfile
  // folder, which only a backup writes into, stayed 0/1 on a fresh clone).
  ensureStoreDir(projectFiles(projectName(values)).logsDir);
  mkdirSync(machineFiles.textfileDir, { recursive: true });
  const engineUp = askEngine().then((answer) => 'version' in answer);
  const early = engineUp.then((up) => (up ? resolveImageSource(values) : undefined));
  early.catch(() => undefined); // its error is thrown where it is awaited, below
  const last = options.beside ? lastContext(projectName(values), mode, target) : undefined;
  const beside = engineUp.then((up) => (up && last && options.beside ? options.beside(last) : undefined)).catch(() => undefined);
  await ensureEngine();
  // A fact of this host, not a choice: written to .env so every compose call (the scripts', the
  // tests', an operator's own) hands the socket proxy the same group.
  const socketGroup = engineSocketGroup();
  if (socketGroup !== undefined && values.DOCKER_SOCKET_GID !== socketGroup) {
    setEnvValues(envFile, { DOCKER_SOCKET_GID: socketGroup });
    values.DOCKER_SOCKET_GID = socketGroup;
  }
  const images = (await early) ?? (await resolveImageSource(values));
  if (images.mode === 'offline') await buildOfflineImages(undefined, { quiet: true });
  const composeProfiles = ['monitoring', ...(images.grafana ? ['grafana'] : [])];
  // Profile swarm: the services only swarm mode runs (the auto-scaler); never in .env's
  // COMPOSE_PROFILES, so compose run by hand in the folder does not start them.
  const profiles = [...composeProfiles, ...(target === 'swarm' ? [SWARM_PROFILE] : [])];
  const ctx: ComposeContext = { mode, target, env: { ...images.imageEnv }, profiles };
  // The same choices in .env, where compose run by hand in the folder finds them (compose-defaults.ts).
  const defaults = composeDefaults({
    manifest: loadManifest(),
    mode: images.mode,
    profiles: composeProfiles,
    files: composeFiles(mode, undefined, target),
    current: readEnvText(readFileSync(envFile, 'utf8')).values,
  });
  if (Object.keys(defaults).length) setEnvValues(envFile, defaults);
  mkdirSync(runDir, { recursive: true });
  const admin = adminCredentials(values);
  if (admin && ensureWebConfig(projectFiles(projectName(values)).adminWebConfig, admin))
    info(`admin: Prometheus, Alertmanager and the watcher's metrics ask for ${admin.user} / ADMIN_PASSWORD from .env`);
  writeFileAtomic(stateFile(projectName(values)), `${JSON.stringify({ mode, target, env: ctx.env, profiles } satisfies SavedState, null, 2)}\n`);
  // Deployed versions (make deploy / rollback) pin <SERVICE>_VERSION so a start never reverts them.
  ctx.env = { ...ctx.env, ...deployedVersionEnv(projectName(values)) };
  return { ctx, values, beside: await beside };
}

/** Where the last start of this checkout's project ran the stack (a file read: no engine call). */
export function lastTarget(): DeployTarget {
  const file = stateFile(readProjectName());
  if (!existsSync(file)) return 'compose';
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as SavedState).target ?? 'compose';
  } catch {
    return 'compose';
  }
}

/** Returns when the engine answers; otherwise an OperationError that says what to do. */
export async function requireEngine(): Promise<void> {
  const engine = await askEngine();
  if ('problem' in engine && engine.problem === 'slow')
    throw new OperationError(
      "the Docker engine did not answer within 30 s: the machine is overloaded or dockerd is stuck; 'docker version' shows when it answers again",
    );
  if ('problem' in engine) throw new OperationError("no Docker engine answers: run 'make start' (it installs and starts one) or start dockerd");
}

/**
 * Runs `work`, whose first Docker call stands in for the engine check (one process fewer, for
 * commands that must be quick): when it fails, the engine is asked, and a missing or stuck engine
 * is reported as such instead of as the call's own error.
 */
export async function withEngine<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await requireEngine();
    throw err;
  }
}

/**
 * For commands on a stack that was started before: same files, profiles and images as its start.
 * `checkEngine: false` skips the engine check for a caller that wraps its Docker calls in withEngine.
 */
export async function currentStack(
  modeFlag?: StackMode,
  { checkEngine = true }: { checkEngine?: boolean } = {},
): Promise<{ ctx: ComposeContext; values: Record<string, string>; target: DeployTarget }> {
  // .env first: a settings mistake is reported the same way with or without an engine.
  const values = loadEnv();
  if (checkEngine) await requireEngine();
  const file = stateFile(projectName(values));
  const saved: SavedState = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { mode: 'default', env: {}, profiles: ['monitoring'] };
  return {
    ctx: {
      mode: modeFlag ?? saved.mode,
      target: saved.target ?? 'compose',
      env: { ...saved.env, ...deployedVersionEnv(projectName(values)) },
      profiles: saved.profiles,
    },
    values,
    target: saved.target ?? 'compose',
  };
}
