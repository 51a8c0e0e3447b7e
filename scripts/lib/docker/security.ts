// The security facts `make audit` judges of each running container, from Docker's inspect.
import { inspectTexts, parseInspect } from './containers.ts';

/** What `make audit` judges of a container: who it runs as, what it may do, what it shows. */
export interface ContainerSecurity {
  id: string;
  name: string;
  service: string;
  /** Config.User: '' means the image's default, which is root unless the image says otherwise. */
  user: string;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  readonlyRootfs: boolean;
  /** Host bindings in force: container port (`8080/tcp`), host address ('' or 0.0.0.0 = every address) and port. */
  ports: Array<{ containerPort: string; hostIp: string; hostPort: number }>;
  mounts: Array<{ type: string; source: string; destination: string; rw: boolean }>;
  /** Config.Env split at the first '='; values may be secrets: never print them. */
  env: Array<{ name: string; value: string }>;
  /** The process's command line (Path and Args), which inspect shows as well. */
  command: string[];
  labels: Record<string, string>;
}

type Binding = Array<{ HostIp?: string; HostPort?: string }> | null;

interface RawSecurity {
  Id: string;
  Name: string;
  Path?: string;
  Args?: string[] | null;
  Config: { User?: string; Env?: string[] | null; Labels?: Record<string, string> | null };
  HostConfig?: {
    Privileged?: boolean;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
    ReadonlyRootfs?: boolean;
    PortBindings?: Record<string, Binding> | null;
  };
  NetworkSettings?: { Ports?: Record<string, Binding> | null };
  Mounts?: Array<{ Type?: string; Source?: string; Destination?: string; RW?: boolean }> | null;
}

/** Pure: the security facts of each container in an inspect document (unit-tested with canned JSON). */
export function parseSecurity(json: string): ContainerSecurity[] {
  return (JSON.parse(json) as RawSecurity[]).map((c) => {
    // The bindings in force (NetworkSettings) once running; the requested ones (HostConfig) before.
    const bindings = c.NetworkSettings?.Ports ?? c.HostConfig?.PortBindings ?? {};
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      service: c.Config.Labels?.['com.docker.compose.service'] ?? '',
      user: c.Config.User ?? '',
      privileged: Boolean(c.HostConfig?.Privileged),
      capAdd: c.HostConfig?.CapAdd ?? [],
      capDrop: c.HostConfig?.CapDrop ?? [],
      securityOpt: c.HostConfig?.SecurityOpt ?? [],
      readonlyRootfs: Boolean(c.HostConfig?.ReadonlyRootfs),
      ports: Object.entries(bindings).flatMap(([containerPort, list]) =>
        (list ?? []).map((b) => ({ containerPort, hostIp: b.HostIp ?? '', hostPort: Number(b.HostPort ?? 0) })),
      ),
      mounts: (c.Mounts ?? []).map((m) => ({ type: m.Type ?? '', source: m.Source ?? '', destination: m.Destination ?? '', rw: m.RW !== false })),
      env: (c.Config.Env ?? []).map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? { name: line, value: '' } : { name: line.slice(0, at), value: line.slice(at + 1) };
      }),
      command: [c.Path ?? '', ...(c.Args ?? [])].filter(Boolean),
      labels: c.Config.Labels ?? {},
    };
  });
}

/** The security facts of every running container of the project: one `docker ps`, one `docker inspect`. */
export async function projectSecurity(project: string): Promise<ContainerSecurity[]> {
  const texts = await inspectTexts(project);
  // The same documents parsed twice: running-ness comes from the one inspect reader.
  const running = new Set(
    texts
      .flatMap(parseInspect)
      .filter((c) => c.running)
      .map((c) => c.id),
  );
  return texts.flatMap(parseSecurity).filter((c) => running.has(c.id));
}
