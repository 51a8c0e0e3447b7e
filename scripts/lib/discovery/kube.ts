// Kubernetes manifests: each workload (Deployment, StatefulSet, DaemonSet, Pod...) is a service with
// the container ports and env values it declares. Read into the compose shape so that naming,
// merging and dependency scanning treat both the same way.
import { parse as parseYaml } from 'yaml';
import { longestLine, MAX_YAML_LINE, type ComposeService } from './docker.ts';
import type { PortValue, SourceFile } from './types.ts';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'Job', 'CronJob', 'Rollout']);

export const isManifest = (f: SourceFile) => (f.ext === 'yaml' || f.ext === 'yml') && /^apiVersion:/m.test(f.text) && /^kind:/m.test(f.text);

interface Container {
  name?: string;
  image?: string;
  ports?: Array<{ containerPort?: number | string }>;
  env?: Array<{ name?: string; value?: unknown }>;
}

type Doc = { kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> };

function containersOf(doc: Doc): Container[] {
  const spec = doc.spec as Record<string, any> | undefined;
  const pod = doc.kind === 'Pod' ? spec : doc.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
  return Array.isArray(pod?.containers) ? (pod.containers as Container[]) : [];
}

/** The line (1-based) of the first line at or after `from` that matches. */
function lineMatching(lines: string[], from: number, re: RegExp): number {
  for (let i = from; i < lines.length; i++) if (re.test(lines[i])) return i + 1;
  return from + 1;
}

export function analyzeManifest(file: SourceFile): { services: ComposeService[]; error: string | null } {
  if (longestLine(file.text) > MAX_YAML_LINE) return { services: [], error: `a line longer than ${MAX_YAML_LINE} characters: not read as YAML` };
  const lines = file.text.split('\n');
  const out: ComposeService[] = [];
  // Documents are split by hand so that each keeps its first line number.
  let start = 0;
  const docs: Array<{ text: string; line: number }> = [];
  lines.forEach((l, i) => {
    if (/^---\s*$/.test(l)) {
      docs.push({ text: lines.slice(start, i).join('\n'), line: start });
      start = i + 1;
    }
  });
  docs.push({ text: lines.slice(start).join('\n'), line: start });
  for (const d of docs) {
    let doc: Doc;
    try {
      doc = parseYaml(d.text) as Doc;
    } catch {
      // A Helm template ({{ .Values.x }}) is not YAML until rendered: nothing to read here.
      continue;
    }
    if (!doc || typeof doc !== 'object' || !WORKLOADS.has(doc.kind ?? '') || !doc.metadata?.name) continue;
    const name = doc.metadata.name;
    const line = lineMatching(lines, d.line, new RegExp(`^\\s*name:\\s*['"]?${name.replace(/[.-]/g, '\\$&')}['"]?\\s*$`));
    const containers = containersOf(doc);
    const env: Record<string, string> = {};
    const envLines: Record<string, number> = {};
    const ports: PortValue[] = [];
    for (const c of containers) {
      for (const p of c.ports ?? []) {
        const port = Number(p.containerPort);
        if (Number.isInteger(port) && port > 0 && !ports.some((x) => x.port === port))
          ports.push({
            port,
            source: 'config',
            config: file.rel,
            file: file.rel,
            line: lineMatching(lines, d.line, new RegExp(`containerPort:\\s*['"]?${port}\\b`)),
          });
      }
      for (const e of c.env ?? []) {
        if (!e.name || (typeof e.value !== 'string' && typeof e.value !== 'number')) continue;
        env[e.name] = String(e.value);
        const at = lineMatching(lines, d.line, new RegExp(`name:\\s*['"]?${e.name}['"]?\\s*$`));
        envLines[e.name] = /value:/.test(lines[at] ?? '') ? at + 1 : at;
      }
    }
    const image = containers[0]?.image ?? null;
    out.push({
      name,
      file: file.rel,
      line,
      image,
      build: null,
      ports,
      env,
      envLines,
      dependsOn: [],
      health: null,
      command: null,
      mounts: [],
      overlays: [],
      origin: 'kubernetes',
    });
  }
  return { services: out, error: null };
}
