// Output helpers: colour and live redraws only on a TTY; plain lines for cron and CI.

export const interactive = Boolean(process.stdout.isTTY) && !process.env.CI && process.env.TERM !== 'dumb';

const paint = (code: number) => (text: string) => (interactive ? `\x1b[${code}m${text}\x1b[0m` : text);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const bold = paint(1);
export const dim = paint(2);

export function info(message: string): void {
  process.stdout.write(`${message}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** Left-aligned text table; the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => stripAnsi(row[col] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => cell + ' '.repeat(widths[col] - stripAnsi(cell).length))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${s}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

/**
 * A status block redrawn in place on a TTY; elsewhere each changed line is printed once.
 */
export class LiveStatus {
  private drawn = 0;
  private last = new Map<string, string>();

  update(lines: Array<[key: string, text: string]>): void {
    if (interactive) {
      if (this.drawn) process.stdout.write(`\x1b[${this.drawn}A`);
      for (const [, text] of lines) process.stdout.write(`\x1b[2K${text}\n`);
      this.drawn = lines.length;
      return;
    }
    for (const [key, text] of lines) {
      if (this.last.get(key) !== text) {
        this.last.set(key, text);
        process.stdout.write(`${text}\n`);
      }
    }
  }
}
