// Every bench figure, defined once: its id, what it means, its unit and the one file that produces
// it. The report reads figures by these ids (never by matching names), and a unit test checks that
// each id has exactly one producer (test/unit/bench-figures.test.ts).
//
// Why the schema lives here and not in bench/: it is the contract between the producer (bench/) and
// the reader (scripts/report.ts), and scripts/ never imports bench/ while bench/ builds on
// scripts/lib like every other layer, so the one place both may import is scripts/lib/report.

export interface FigureSpec {
  /** What is measured; the figure's name in result files (with the subject, when it has one). */
  meaning: string;
  unit: 's' | 'ms' | '%' | 'requests';
  /** The one file that produces it (a bench suite, or a child suite run by bench/suites/children.ts). */
  producer: string;
  /** One figure per subject (a service, a discovery category), named `meaning (subject)`. */
  perSubject?: boolean;
  /** Exact names the figure had in result files written before figures had ids. */
  formerNames?: readonly string[];
}

export const FIGURES = {
  'fresh.start': { meaning: 'cold start on a fresh machine, engine install included', unit: 's', producer: 'bench/suites/fresh.ts' },
  'cold.start': { meaning: 'cold start to all healthy', unit: 's', producer: 'bench/suites/cold.ts', formerNames: ['cold start to all healthy'] },
  'start.warm': { meaning: 'warm start to all healthy', unit: 's', producer: 'bench/suites/start.ts', formerNames: ['warm start to all healthy'] },
  'start.alone': { meaning: 'healthy alone', unit: 's', producer: 'bench/suites/start.ts', perSubject: true },
  'start.overhead': { meaning: 'orchestration overhead (ours)', unit: 's', producer: 'bench/suites/start.ts' },
  'start.over-plain': { meaning: 'warm start minus plain compose up --wait, paired run by run', unit: 's', producer: 'bench/suites/start.ts' },
  'start.running': { meaning: 'start of a stack that is already running', unit: 's', producer: 'bench/suites/start.ts' },
  'health.command': { meaning: 'health-check command, whole stack', unit: 'ms', producer: 'bench/suites/health.ts' },
  'health.probing': { meaning: 'health-check probing (durationMs)', unit: 'ms', producer: 'bench/suites/health.ts' },
  'recovery.crash': {
    meaning: 'recovery after a crash',
    unit: 's',
    producer: 'bench/suites/recovery.ts',
    perSubject: true,
    formerNames: ['recovery after a crash'],
  },
  'recovery.hang': {
    meaning: 'recovery after a hang',
    unit: 's',
    producer: 'bench/suites/recovery.ts',
    perSubject: true,
    formerNames: ['recovery after a hang'],
  },
  'deploy.failed-requests': {
    meaning: 'deploy under load: failed requests',
    unit: 'requests',
    producer: 'bench/deploy.ts',
    perSubject: true,
    formerNames: ['deploy backend: failed requests'],
  },
  'deploy.duration': {
    meaning: 'deploy under load: duration',
    unit: 's',
    producer: 'bench/deploy.ts',
    perSubject: true,
    formerNames: ['deploy backend: duration'],
  },
  'deploy.busy-failed-requests': { meaning: 'deploy on a saturated machine: failed requests', unit: 'requests', producer: 'bench/deploy.ts', perSubject: true },
  'deploy.busy-duration': { meaning: 'deploy on a saturated machine: duration', unit: 's', producer: 'bench/deploy.ts', perSubject: true },
  'rollback.failed-requests': { meaning: 'rollback under load: failed requests', unit: 'requests', producer: 'bench/deploy.ts', perSubject: true },
  'rollback.duration': { meaning: 'rollback under load: duration', unit: 's', producer: 'bench/deploy.ts', perSubject: true },
  'restart.failed-requests': {
    meaning: 'restart of a stateless service under load: failed requests',
    unit: 'requests',
    producer: 'bench/deploy.ts',
    perSubject: true,
  },
  'restart.duration': { meaning: 'restart of a stateless service under load: duration', unit: 's', producer: 'bench/deploy.ts', perSubject: true },
  'backup.duration': { meaning: 'backup of a generated database of at least 500 MB', unit: 's', producer: 'bench/backup.ts' },
  'discovery.recall': { meaning: 'discovery recall', unit: '%', producer: 'bench/discovery.ts', perSubject: true },
  'discovery.precision': { meaning: 'discovery precision', unit: '%', producer: 'bench/discovery.ts', perSubject: true },
  'discovery.scan': { meaning: 'discovery scan of a 2,000-file repository', unit: 'ms', producer: 'bench/discovery.ts' },
  // The scale suite: one figure per system size, subject `N=<count>` (growth.ts reads N from it).
  'scale.start': { meaning: 'warm start with N generated services', unit: 's', producer: 'bench/suites/scale.ts', perSubject: true },
  'scale.over-plain': {
    meaning: 'warm start with N generated services minus plain compose up --wait, paired run by run',
    unit: 's',
    producer: 'bench/suites/scale.ts',
    perSubject: true,
  },
  'scale.health': { meaning: 'health-check command with N generated services', unit: 's', producer: 'bench/suites/scale.ts', perSubject: true },
  'scale.deploy-all': {
    meaning: 'deploy of every stateless service with N generated services',
    unit: 's',
    producer: 'bench/suites/scale.ts',
    perSubject: true,
  },
  // The cluster suite (opt-in): swarm mode on a 3-node cluster on this machine, compose mode the comparison.
  'cluster.start': { meaning: 'start to all healthy on a 3-node swarm', unit: 's', producer: 'bench/suites/cluster.ts' },
  'cluster.scale-out': { meaning: 'the bench target from 1 to 3 replicas on a 3-node swarm, until healthy', unit: 's', producer: 'bench/suites/cluster.ts' },
  'cluster.deploy': { meaning: 'deploy of the bench target at 3 replicas on a 3-node swarm, under load', unit: 's', producer: 'bench/suites/cluster.ts' },
  'cluster.deploy-failed': {
    meaning: 'failed requests during a deploy of the bench target at 3 replicas on a 3-node swarm',
    unit: 'requests',
    producer: 'bench/suites/cluster.ts',
  },
  'cluster.node-loss': { meaning: 'a worker node lost: until its tasks run on the other nodes', unit: 's', producer: 'bench/suites/cluster.ts' },
  'cluster.node-loss-failed': { meaning: 'failed requests while a worker node is lost', unit: 'requests', producer: 'bench/suites/cluster.ts' },
} as const satisfies Record<string, FigureSpec>;

export type FigureId = keyof typeof FIGURES;

export function isFigureId(value: unknown): value is FigureId {
  return typeof value === 'string' && Object.hasOwn(FIGURES, value);
}

/** The name a figure carries in result files and tables. */
export function figureName(id: FigureId, subject?: string): string {
  return subject ? `${FIGURES[id].meaning} (${subject})` : FIGURES[id].meaning;
}

const byFormerName = new Map<string, FigureId>(
  Object.entries(FIGURES as Record<FigureId, FigureSpec>).flatMap(([id, spec]) => (spec.formerNames ?? []).map((name) => [name, id as FigureId] as const)),
);

/** A stored figure's id: its own, or for a file written before ids, the id that lists its exact name. */
export function idOf(figure: { id?: unknown; name: string }): FigureId | undefined {
  return isFigureId(figure.id) ? figure.id : byFormerName.get(figure.name);
}
