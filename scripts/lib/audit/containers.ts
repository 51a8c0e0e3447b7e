// The container checks of `make audit` (pure): published addresses, privileges, capabilities, the
// Docker socket, the user, and the root filesystem, judged from inspect facts and the compose model.
import { type ComposeModel, proxiesOf } from '../compose.ts';
import type { ContainerSecurity } from '../docker/security.ts';
import type { Finding } from './findings.ts';

/** The compose label by which a service says why it holds the Docker socket (the Engine API). */
export const SOCKET_LABEL = 'galaxy.docker-socket';

/** Capabilities that hand the container the host (modules, mounts, other processes' memory, raw devices, any file). */
const HOST_CAPABILITIES = new Set(['ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_BOOT', 'DAC_READ_SEARCH', 'NET_ADMIN', 'BPF']);

const capability = (name: string) => name.toUpperCase().replace(/^CAP_/, '');

export function isLoopback(address: string): boolean {
  return address === '::1' || address === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

/** '' (older engines), 0.0.0.0 and :: all mean every address of the host. */
function everyAddress(address: string): boolean {
  return address === '' || address === '0.0.0.0' || address === '::';
}

export function showAddress(address: string, port: number): string {
  const shown = address === '' ? '0.0.0.0' : address;
  return shown.includes(':') ? `[${shown}]:${port}` : `${shown}:${port}`;
}

/**
 * The stack's entry points: proxies (they carry `galaxy.proxy.upstreams`) that no other proxy
 * forwards to. They are the one kind of service meant to be reached from other machines.
 */
export function entryPoints(model: ComposeModel): Set<string> {
  return new Set(model.services.filter((s) => s.labels['galaxy.proxy.upstreams'] && !proxiesOf(model.services, s.name).length).map((s) => s.name));
}

/** The user is root: empty (the image's default, root unless its Dockerfile has USER), `root` or uid 0. */
export function runsAsRoot(user: string): boolean {
  const name = user.split(':')[0].trim();
  return name === '' || name === 'root' || name === '0';
}

export function hasNoNewPrivileges(securityOpt: string[]): boolean {
  return securityOpt.some((o) => /^no-new-privileges(?:[:=]true)?$/.test(o.trim()));
}

function portFindings(c: ContainerSecurity, model: ComposeModel, entries: Set<string>): Finding[] {
  const declared = model.services.find((s) => s.name === c.service)?.ports ?? [];
  return c.ports
    .filter((p) => !isLoopback(p.hostIp))
    .map((p): Finding => {
      const where = showAddress(p.hostIp, p.hostPort);
      const meant =
        entries.has(c.service) &&
        declared.some((d) => d.published === p.hostPort && (d.hostIp === p.hostIp || (everyAddress(d.hostIp) && everyAddress(p.hostIp))));
      // low: the entry point serving other machines on the address its compose file names is the
      // deployment's own choice (PUBLIC_BIND), listed so nobody forgets it is reachable.
      if (meant)
        return {
          severity: 'low',
          check: 'published-port',
          service: c.service,
          container: c.name,
          problem: `${p.containerPort} is reachable from other machines on ${where} (the entry point, as the compose files say)`,
          fix: 'nothing if it should serve other machines; else bind it to 127.0.0.1',
        };
      // high: any other service reachable from the network (an admin UI, an API without the edge's
      // limits, a data port) is a way in that nobody decided to open.
      return {
        severity: 'high',
        check: 'published-port',
        service: c.service,
        container: c.name,
        problem: `${p.containerPort} is reachable from other machines on ${where}`,
        fix: `publish it as "127.0.0.1:${p.hostPort}:${p.containerPort.split('/')[0]}" in the compose file, or reach it through the entry point`,
      };
    });
}

function privilegeFindings(c: ContainerSecurity): Finding[] {
  const found: Finding[] = [];
  const base = { service: c.service, container: c.name };
  // high: a privileged container has every capability and every device: it can mount the host's
  // disk and leave the container at will.
  if (c.privileged)
    found.push({
      ...base,
      severity: 'high',
      check: 'privileged',
      problem: 'runs privileged (every capability and device)',
      fix: 'remove privileged: true; add only the capabilities it needs',
    });

  for (const m of c.mounts.filter((m) => /(^|\/)docker\.sock$/.test(m.source) || /(^|\/)docker\.sock$/.test(m.destination))) {
    const reason = c.labels[SOCKET_LABEL];
    const mode = m.rw ? 'read-write' : 'read-only (which stops no API call)';
    // high: the Engine API is root on the host, so a container holding it undeclared is an escape
    // route. medium: a service whose compose labels say why it needs the API (the kit's socket
    // proxy, the one filter in front of it): it is still root-equivalent if broken into.
    found.push(
      reason
        ? {
            ...base,
            severity: 'medium',
            check: 'docker-socket',
            problem: `holds the Docker socket ${mode}, for: ${reason}`,
            fix: 'only a socket proxy should hold it; every other service reaches Docker through one that allows only the calls it makes',
          }
        : {
            ...base,
            severity: 'high',
            check: 'docker-socket',
            problem: `holds the Docker socket ${mode} (${m.destination}): root on the host`,
            fix: `remove the mount, or give the service a ${SOCKET_LABEL} label saying why and put a socket proxy in front`,
          },
    );
  }

  const added = c.capAdd.map(capability);
  const hostLevel = added.filter((cap) => HOST_CAPABILITIES.has(cap));
  // high: these capabilities reach past the container (kernel modules, mounts, tracing other
  // processes, reading any file), nearly as much as privileged.
  if (hostLevel.length)
    found.push({
      ...base,
      severity: 'high',
      check: 'capabilities',
      problem: `adds ${hostLevel.join(', ')}`,
      fix: 'remove these from cap_add; find a way without them',
    });
  const other = added.filter((cap) => !HOST_CAPABILITIES.has(cap));
  // low: a narrow capability (NET_BIND_SERVICE, CHOWN) may be what the program needs; listed to be reasoned about.
  if (other.length)
    found.push({
      ...base,
      severity: 'low',
      check: 'capabilities',
      problem: `adds ${other.join(', ')}`,
      fix: 'keep each only with a one-line reason in the compose file',
    });
  return found;
}

/**
 * high, each of the four: the kit's own compose files give every service a non-root user, no
 * capabilities, no-new-privileges and a read-only root filesystem, so any container without them
 * is one somebody added or loosened; each widens what a break-in can do to the host.
 */
function leastPrivilegeFindings(c: ContainerSecurity): Finding[] {
  const found: Finding[] = [];
  const base = { service: c.service, container: c.name, severity: 'high' as const };
  if (runsAsRoot(c.user))
    found.push({
      ...base,
      check: 'root-user',
      problem: c.user ? `runs as ${c.user}` : 'runs as root (no user in the image or compose file)',
      fix: 'set a non-root user: (or USER in its Dockerfile)',
    });
  if (!c.capDrop.map(capability).includes('ALL'))
    found.push({
      ...base,
      check: 'cap-drop',
      problem: 'keeps the default capabilities (no cap_drop: [ALL])',
      fix: 'cap_drop: [ALL], then cap_add only what it needs',
    });
  if (!hasNoNewPrivileges(c.securityOpt))
    found.push({ ...base, check: 'no-new-privileges', problem: 'may gain privileges through setuid programs', fix: 'security_opt: [no-new-privileges:true]' });
  if (!c.readonlyRootfs)
    found.push({
      ...base,
      check: 'writable-rootfs',
      problem: 'root filesystem is writable',
      fix: 'read_only: true, with tmpfs or volumes where it must write',
    });
  return found;
}

export function containerFindings(containers: ContainerSecurity[], model: ComposeModel): Finding[] {
  const entries = entryPoints(model);
  return containers.flatMap((c) => [...portFindings(c, model, entries), ...privilegeFindings(c), ...leastPrivilegeFindings(c)]);
}
