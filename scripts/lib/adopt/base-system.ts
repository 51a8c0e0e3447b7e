// What the adopted services take from the system they join (pure, given the base compose file's
// text): the logging block that sends their lines to the kit's log store, and the networks where the
// kit's Prometheus scrapes and its prober (blackbox exporter) probes, so adopted services are
// logged and monitored as the kit's own are. Nothing of it is copied into the kit's code: a system
// whose compose file sends its logs elsewhere, or has no monitoring, gives its own answer.
// Read from docker-compose.yml's own text (YAML merge keys resolved), not from compose's resolved
// config: the generated file must keep the variables uninterpolated (${LOG_PORT:-5514}, as the base
// does; compose's config without interpolation refuses the kit's `${COMPOSE_PROJECT_NAME:-galaxy}`
// volume spec), and adopt runs before the engine is installed.
import { parse } from 'yaml';
import { PROBER_ROLE, ROLE_LABEL } from '../compose.ts';
import { type LoggingBlock, sendsToStore } from '../logs/route.ts';
import { PROMETHEUS_ROLE } from '../monitoring/prometheus.ts';

export interface BaseSystem {
  /** The base's logging block that reaches the log store, when its services send there. */
  logging?: LoggingBlock;
  /** Networks shared by the services labelled galaxy.role prometheus and prober (none without them). */
  monitoringNetworks: string[];
}

interface RawService {
  logging?: LoggingBlock;
  networks?: string[] | Record<string, unknown>;
  labels?: string[] | Record<string, string>;
}

const networksOf = (s: RawService) => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? { default: null }));

function roleOf(s: RawService): string | undefined {
  if (Array.isArray(s.labels)) return s.labels.find((l) => l.startsWith(`${ROLE_LABEL}=`))?.slice(ROLE_LABEL.length + 1);
  return s.labels?.[ROLE_LABEL];
}

/** Scrape and probe roles: the services an adopted one must share a network with. */
const MONITORING_ROLES = [PROMETHEUS_ROLE, PROBER_ROLE];

export function readBaseSystem(composeText: string | undefined): BaseSystem {
  if (!composeText) return { monitoringNetworks: [] };
  const doc = (parse(composeText, { merge: true }) ?? {}) as { services?: Record<string, RawService> };
  const services = Object.values(doc.services ?? {});
  const logging = services.map((s) => s.logging).find(sendsToStore);
  const monitors = MONITORING_ROLES.map((role) => services.find((s) => roleOf(s) === role));
  const monitoringNetworks = monitors.every(Boolean) ? networksOf(monitors[0]!).filter((n) => monitors.every((m) => networksOf(m!).includes(n))) : [];
  return { ...(logging ? { logging } : {}), monitoringNetworks };
}

/** The adopted services' own network; they also join the base's monitoring networks. */
const ADOPTED_NETWORK = 'adopted';

/** Their own network and the ones where the base's Prometheus scrapes and its prober probes. */
export const adoptedNetworks = (base: BaseSystem) => [ADOPTED_NETWORK, ...base.monitoringNetworks.filter((n) => n !== ADOPTED_NETWORK)];

/** The base's route to its log store (make logs reads them there); else Docker's own log, bounded. */
export const adoptedLogging = (base: BaseSystem) => base.logging ?? { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } };
