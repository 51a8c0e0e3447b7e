// make logs for a system whose services send their lines nowhere the kit keeps (another system's
// compose files under GALAXY_ROOT, without the log store): Docker's own per-container logs through
// compose's own `logs` command, as make logs read them before the store existed. Lines of removed
// containers are gone there; docs/LOGS.md says how a system gets the store.
import type { ComposeContext } from '../compose.ts';
import { compose } from '../docker/client.ts';
import { UsageError, lastLine } from '../errors.ts';
import { interactive, stripAnsi } from '../output.ts';

export interface ComposeLogsRequest {
  services: string[];
  tail: string;
  follow: boolean;
  /** As typed: compose reads the same forms (10m, 2h, an RFC 3339 time). */
  since?: string;
  until?: string;
  grep?: string;
}

/** Prints the matching lines; returns how many. */
export async function printComposeLogs(ctx: ComposeContext, r: ComposeLogsRequest): Promise<number> {
  const args = [
    'logs',
    '--tail',
    r.tail,
    ...(r.follow ? ['--follow'] : []),
    ...(r.since ? ['--since', r.since] : []),
    ...(r.until ? ['--until', r.until] : []),
    ...r.services,
  ];
  // compose prefixes every line with the service name itself; --grep filters that stream line by line.
  const child = compose(ctx, args).nothrow();
  const needle = r.grep?.toLowerCase();
  let matched = 0;
  for await (const raw of child) {
    // Compose 2.26 writes an erase-line code before each line even with --ansi never: drop it.
    const line = interactive ? raw.replaceAll('\x1b[2K', '') : stripAnsi(raw);
    if (!needle || stripAnsi(line).toLowerCase().includes(needle)) {
      matched++;
      process.stdout.write(`${line}\n`);
    }
  }
  const result = await child;
  if (result.exitCode !== 0) throw new UsageError('docker compose logs failed: ' + lastLine(result.stderr));
  return matched;
}
