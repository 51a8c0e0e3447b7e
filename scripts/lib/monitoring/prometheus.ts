// Instant queries to the stack's Prometheus, for the kit's reports: the service the compose files
// label `galaxy.role: prometheus`, at its published address, with the admin credentials it asks for.
import { adminAuthHeaders } from '../admin-auth.ts';
import { type ComposeModel, publishedUrl, serviceWithRole } from '../compose.ts';

export const PROMETHEUS_ROLE = 'prometheus';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export type Query = (expr: string) => Promise<Sample[]>;

/** The samples of an instant-query answer (pure); none for an error or an empty result. */
export function samples(answer: unknown): Sample[] {
  const result = (answer as { data?: { result?: Array<{ metric?: Record<string, string>; value?: [number, string] }> } })?.data?.result;
  return (result ?? []).filter((r) => r.value).map((r) => ({ labels: r.metric ?? {}, value: Number(r.value![1]) }));
}

/** A query function for the stack's Prometheus, or undefined when the compose files publish none. */
export function prometheusQuery(model: ComposeModel, values: Record<string, string>, timeoutMs = 15_000): Query | undefined {
  const prometheus = serviceWithRole(model, PROMETHEUS_ROLE);
  const port = prometheus?.ports[0];
  if (!prometheus || !port) return undefined;
  const base = publishedUrl(port);
  const headers = adminAuthHeaders(prometheus, values);
  return async (expr) => {
    const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`Prometheus answered ${response.status} to ${expr}`);
    return samples(await response.json());
  };
}
