// The adopt plan: what `make adopt` decided for each service, before anything is written.

/** What the plan reads of the codebase: the discovery inventory plus a few files (lock files, requirements). */
export interface SourceTree {
  /** The text of a file relative to the codebase's root, or undefined when absent. */
  read(rel: string): string | undefined;
  /** Files directly in a folder (relative to the root), for lock files and committed SQLite files. */
  list(dir: string): string[];
}

export type ImageKind = 'node' | 'python' | 'static' | 'dockerfile';

export type HealthPlan = { kind: 'http'; path: string } | { kind: 'tcp' } | { kind: 'none' };

export interface PortPlan {
  /** The port the code listens on inside the container. */
  container: number;
  /** The .env variable holding the host port (published on 127.0.0.1). */
  hostVar: string;
  host: number;
  /** Why the host port differs from the container port (a clash), for the output. */
  moved?: string;
}

export interface EnvEntry {
  /** The .env name (prefixed with the service's) and the variable the code reads. */
  name: string;
  variable: string;
  value: string;
  secret: boolean;
  comment: string;
}

export interface ServicePlan {
  name: string;
  /** The discovery row it came from. */
  from: string;
  language: string;
  image: ImageKind;
  /** node: npm, yarn or pnpm (from the lock file); python: Debian packages (offline) or pip (registry). */
  install: { manager: string; packages: string[]; unmapped: string[] };
  /** Build context relative to the codebase's root, and why (the output says it). */
  context: string;
  contextReason: string;
  /** The service's folder relative to the context (its working directory in the image). */
  workdir: string;
  /** Paths (relative to the context) the image copies; the .dockerignore allows only these. */
  copy: string[];
  /** An existing Dockerfile (relative to the codebase's root), used as it is. */
  dockerfile?: string;
  command: string[];
  port: PortPlan | null;
  health: HealthPlan;
  dependsOn: string[];
  /** Compose environment: values, or ${VAR} references to .env entries. */
  environment: Record<string, string>;
  envExample: EnvEntry[];
  volumes: Array<{ name: string; target: string }>;
  /** Data or upload folders on the volume (their variables point there), created in the image for its user. */
  folders: string[];
  /** Committed SQLite files copied into the volume's folder, so a new volume starts with them. */
  seed: Array<{ file: string; target: string }>;
  labels: Record<string, string>;
  /** The code binds 127.0.0.1 on this port: the entry point forwards the container's address to it. */
  forward: number | null;
  /** Start scripts whose hard-coded interpreter path is replaced inside the image (the codebase is untouched). */
  interpreterFixes: Array<{ file: string; from: string; to: string }>;
  /** One line each for the output: forwarders, rewritten URLs, code changes needed. */
  notes: string[];
}

export interface AdoptPlan {
  services: ServicePlan[];
  /** `not adopted: <name> (<language>): write services/<name>/Dockerfile`, and others skipped with a reason. */
  skipped: string[];
  /** `needs a code change: file:line ...` lines, and problems discovery found that adopt does not fix. */
  problems: string[];
}
