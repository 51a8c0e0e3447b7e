// The adopted services' front (pure): one stock nginx that holds the host port of every stateless
// HTTP service and forwards to it by name. A host port can belong to one container only, so a
// service publishing its own would be unreachable for a moment while a deploy moves the port to
// the new container (docs/DEPLOY.md, two hops); behind one stable listener, both containers serve
// during the swap, as the kit's own edge does for its frontend.
import { type BaseSystem, adoptedLogging, adoptedNetworks } from './base-system.ts';
import type { ServicePlan } from './types.ts';
import { GENERATED } from './render.ts';

export const FRONT_NAME = 'adopted-front';
/** Answered by nginx itself on every listener: its container healthcheck and the health table's probe. */
export const FRONT_HEALTH_PATH = `/${FRONT_NAME}/health`;

export interface FrontRoute {
  service: string;
  /** The port the front listens on for this service (its host port's target). */
  listen: number;
  upstream: number;
  hostVar: string;
}

/** Stateless services with an HTTP health route and a port go behind the front (none: no front). */
export function planFront(plans: ServicePlan[]): FrontRoute[] {
  const used = new Set<number>();
  const routes: FrontRoute[] = [];
  for (const p of plans) {
    if (!p.port || p.health.kind !== 'http' || p.labels['galaxy.deploy'] !== 'rolling') continue;
    // nginx runs as its image's user with no capabilities: it can listen on 1024 and above only.
    let listen = p.port.container >= 1024 ? p.port.container : p.port.container + 8000;
    while (used.has(listen)) listen++;
    used.add(listen);
    routes.push({ service: p.name, listen, upstream: p.port.container, hostVar: p.port.hostVar });
  }
  return routes;
}

export function renderFrontConf(routes: FrontRoute[]): string {
  const servers = routes.map(
    (r) => `  server {
    listen ${r.listen};
    location = ${FRONT_HEALTH_PATH} { default_type application/json; return 200 '{"status":"ok"}'; }
    location / {
      # A variable in proxy_pass: the name is resolved per request (every 1 s), so a deploy's new container is used at once.
      set $upstream http://${r.service}:${r.upstream};
      proxy_pass $upstream;
    }
  }`,
  );
  return `# ${GENERATED}
# The adopted services' front (docs/ADOPT.md): it holds their host ports, so a deploy of one of them
# never leaves its port without a listener. One worker: one DNS cache, which the deploy's switch
# proof relies on (docs/DEPLOY.md). Runs as the image's nginx user on a read-only filesystem.
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr notice;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  server_tokens off;
  # Docker's embedded DNS, re-read every second.
  resolver 127.0.0.11 valid=1s ipv6=off;
  resolver_timeout 2s;
  # One connection per request: none is kept to a container that is going away.
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $host;
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  # While a deploy runs two containers, a refused connection or a draining one's 502/503/504 goes to the other.
  proxy_next_upstream error timeout http_502 http_503 http_504;
  proxy_next_upstream_tries 3;
  proxy_next_upstream_timeout 10s;
  proxy_connect_timeout 2s;
  proxy_read_timeout 60s;
${servers.join('\n')}
}
`;
}

/** The front's compose block: the stock nginx image with the generated config mounted. */
export function frontBlock(routes: FrontRoute[], confPath: string, base: BaseSystem): Record<string, unknown> {
  const first = routes[0];
  return {
    image: '${NGINX_IMAGE:?set NGINX_IMAGE in .env}',
    user: '101:101',
    // nginx itself, not the image's entry point (it would try to write templates into a read-only filesystem).
    entrypoint: ['nginx', '-e', 'stderr', '-g', 'daemon off;'],
    restart: 'unless-stopped',
    // SIGQUIT is nginx's graceful stop: in-flight requests finish.
    stop_signal: 'SIGQUIT',
    cap_drop: ['ALL'],
    security_opt: ['no-new-privileges:true'],
    read_only: true,
    tmpfs: ['/tmp'],
    logging: adoptedLogging(base),
    volumes: [`${confPath}:/etc/nginx/nginx.conf:ro`],
    ports: routes.map((r) => `127.0.0.1:\${${r.hostVar}:?set ${r.hostVar} in .env}:${r.listen}`),
    networks: adoptedNetworks(base),
    healthcheck: {
      test: ['CMD', 'curl', '-fsS', '--max-time', '2', '-o', '/dev/null', `http://127.0.0.1:${first.listen}${FRONT_HEALTH_PATH}`],
      interval: '10s',
      timeout: '10s',
      retries: 3,
      start_period: '30s',
      start_interval: '1s',
    },
    labels: {
      'galaxy.health.path': FRONT_HEALTH_PATH,
      'galaxy.health.port': String(first.listen),
      'galaxy.autoheal': 'true',
      'galaxy.proxy.upstreams': routes.map((r) => r.service).join(', '),
    },
    deploy: { resources: { limits: { cpus: '0.5', memory: '64m', pids: 256 } } },
  };
}
