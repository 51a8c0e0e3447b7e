// Every path under `.run/` (runtime state, ignored by git) is named here and nowhere else, so a
// reader finds all of it in one place and a test can clean up a project's files by asking.
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { kitRoot, runDir } from '../paths.ts';

export { runDir };

/** Files of one compose project (a test stack, a side-by-side copy, the default `galaxy`); `dir` for tests. */
export function projectFiles(project: string, dir = runDir) {
  // The name becomes part of file names: compose's own rule keeps it from leaving .run/.
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(project))
    throw new UsageError(`'${project}' is not a compose project name (lowercase letters, digits, '-' and '_'): fix COMPOSE_PROJECT_NAME`);
  return {
    /** What `make start` chose (mode, image variables, profiles), for later commands. */
    stack: path.join(dir, `stack-${project}.json`),
    /** The lock every state-changing command takes (lock.ts). */
    lock: path.join(dir, `${project}.lock`),
    /** The version each deployed service runs now (deploy/state.ts). */
    deployState: path.join(dir, `deploy-state-${project}.json`),
    /** One JSON line per deploy or rollback attempt. */
    deployHistory: path.join(dir, `deploy-history-${project}.jsonl`),
    /** The edge's self-signed certificate and key, made by the first prod start (tls.ts). */
    tlsCert: path.join(dir, `tls-${project}-cert.pem`),
    tlsKey: path.join(dir, `tls-${project}-key.pem`),
    /** The admin UIs' web config (bcrypt hash of ADMIN_PASSWORD), mounted by compose (admin-auth.ts). */
    adminWebConfig: path.join(dir, `admin-web-${project}.yml`),
    /** Prometheus's probe and scrape targets (a file_sd folder mounted into it; monitoring/targets.ts). */
    monitoringTargetsDir: path.join(dir, `targets-${project}`),
    /** The log store: every container's lines as hourly JSON-line files (docs/LOGS.md); never a volume, so --remove-data keeps it. */
    logsDir: path.join(dir, `logs-${project}`),
    /** The stack file of swarm mode, made from compose config (swarm/stack-file.ts), kept to read. */
    swarmStack: path.join(dir, `swarm-stack-${project}.json`),
    /** The compose override of a two-hop deploy's first container (no host ports). */
    portlessOverride: (service: string) => path.join(dir, `deploy-${project}-${service}-portless.yml`),
  };
}

/** Every file of a project (for cleanup after a throwaway stack); override files are matched by prefix. */
export function projectFileMatcher(project: string): (name: string) => boolean {
  const own = Object.values(projectFiles(project))
    .filter((v): v is string => typeof v === 'string')
    .map((f) => path.basename(f));
  return (name) => own.includes(name) || (name.startsWith(`deploy-${project}-`) && name.endsWith('-portless.yml'));
}

/** The kit's own state, shared by every project it runs on this machine (under the kit's .run/). */
const kitRunDir = path.join(kitRoot, '.run');

/** Files shared by every project on this machine, and the project's files that are not per compose project. */
export const machineFiles = {
  dockerdPid: path.join(kitRunDir, 'dockerd.pid'),
  dockerdLog: path.join(kitRunDir, 'dockerd.log'),
  /** One image builder at a time: the debootstrap folder below is shared. */
  imagesLock: path.join(kitRunDir, 'images.lock'),
  offlineBaseRootfs: path.join(kitRunDir, 'offline-base', 'rootfs'),
  /** npm package tarballs a stand-in takes, one folder per pinned version (images/npm-tarball.ts). */
  offlineNpmDir: path.join(kitRunDir, 'offline-npm'),
  backupLog: path.join(runDir, 'backup.log'),
  /** The last compose models, each under the hash of everything it was read from (compose-cache.ts). */
  composeModels: path.join(runDir, 'compose-models.json'),
  /** What make adopt wrote, by path, with the sha256 of the text: a file changed since is never overwritten. */
  adoptWritten: path.join(runDir, 'adopt-written.json'),
  /** Each service image's build inputs hash and the id built from them (images/service-builds.ts). */
  serviceBuilds: path.join(runDir, 'service-builds.json'),
  /** node-exporter's textfile collector folder (backup metrics). */
  textfileDir: path.join(runDir, 'textfile'),
};
