// The inventory's shape: the JSON file, the Markdown report and the tests all read these types.

export type Language = 'node' | 'python' | 'shell' | 'docker' | 'html' | string;

export type ServiceKind = 'server' | 'program' | 'script' | 'container' | 'compose' | 'static' | 'unsupported';

/** Where a value was read: a literal, an env var (with its default), a config file, or a framework default. */
export type ValueSource = 'literal' | 'env' | 'config' | 'framework-default' | 'unknown';

export interface PortValue {
  port: number | null;
  source: ValueSource;
  env?: string;
  config?: string;
  file: string;
  line: number;
  /** Compose: the host port this container port is published on, and its address. */
  published?: { port: number | null; env?: string; address: string };
}

export interface BindValue {
  address: string;
  source: ValueSource;
  env?: string;
  file: string;
  line: number;
}

/** One place a service was found: its code, Dockerfile, compose service or Kubernetes workload. */
export interface ServiceSource {
  kind: ServiceKind | 'manifest';
  file: string;
  line: number;
  /** The compose service or workload name. */
  name?: string;
  /** Compose: the build context folder. */
  build?: string;
}

export interface Service {
  name: string;
  kind: ServiceKind;
  language: Language;
  framework: string | null;
  entry: string;
  /** Folder the service lives in, relative to the scanned root ('.' for the root). */
  dir: string;
  ports: PortValue[];
  bind: BindValue | null;
  start: string | null;
  dependencies: { declared: string[]; imported: string[] };
  env: string[];
  health: string | null;
  /** The Prometheus metrics route found in the code (adopt has Prometheus scrape it). */
  metrics?: string | null;
  /** Why this looks like a service, e.g. "app.listen(PORT)" at file:line. */
  reason: string;
  status: 'not probed' | 'listening' | 'not listening' | 'no port';
  /** Files whose content belongs to this service (entry and its local imports). */
  files: string[];
  /** Shell scripts: the programs they start or stop. */
  launches?: Array<{ command: string; line: number; target: string | null }>;
  /** Containers built from this folder; compose services using this build context. */
  image?: string | null;
  /** Every row merged into this one (code, Dockerfile, compose, manifest), each with file:line. */
  sources?: ServiceSource[];
}

/** A stale copy of a project (backup/orders, orders_restored): listed, not counted as a service. */
export interface ServiceCopy {
  dir: string;
  entry: string;
  of: string | null;
}

export type DependencyKind = 'internal' | 'datastore' | 'external' | 'unresolved';

export interface Dependency {
  from: string;
  file: string;
  line: number;
  /** URL or host:port as written (credentials masked). */
  target: string;
  scheme: string | null;
  host: string | null;
  port: number | null;
  env?: string;
  kind: DependencyKind;
  /** The service listening there, when one is found. */
  resolved: string | null;
  name: string | null;
}

export interface Datastore {
  type: string;
  evidence: string;
  file: string;
  line: number;
  users: string[];
}

export interface ExternalApi {
  name: string;
  evidence: string;
  file: string;
  line: number;
  users: string[];
}

export type Severity = 'high' | 'medium' | 'low';

export interface Problem {
  rule: string;
  severity: Severity;
  file: string;
  line: number | null;
  service: string | null;
  message: string;
  /** What to do about it, in one line. */
  fix: string;
  /** Identical findings (same rule and message) collapsed into one: how many there were. */
  count?: number;
}

export interface Inventory {
  /** The shape's version (docs/discovery-schema.json); 2 added sources, copies and counts. */
  version: 2;
  generatedAt: string;
  root: string;
  method: string;
  probed: boolean;
  services: Service[];
  dependencies: Dependency[];
  datastores: Datastore[];
  externalApis: ExternalApi[];
  problems: Problem[];
  copies: ServiceCopy[];
  stats: { files: number; read: number; skipped: Array<{ path: string; reason: string }>; ms: number };
}

/** A file the walker read; `code` is the text with comments blanked (same offsets). */
export interface SourceFile {
  rel: string;
  abs: string;
  dir: string;
  base: string;
  ext: string;
  size: number;
  text: string;
  language: Language | null;
  isTest: boolean;
}
