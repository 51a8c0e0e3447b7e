// Durations written the Go way, as compose config prints them and as operators type them
// (90s, 1m30s, 500ms, 2h, and days for log windows: 2d). Pure; the one parser of them.

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, µs: 1e-6, ns: 1e-9 };

/** Seconds in `text` (a run of number-and-unit parts, nothing else); undefined if it is not one. */
export function durationSeconds(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(d|h|ms|m|s|us|µs|ns)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, [, value, unit]) => sum + Number(value) * UNIT_SECONDS[unit], 0);
}
