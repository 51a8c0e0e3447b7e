// Parsing of test runners' own summaries, so `make test` can add them up.

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Counts TAP results: `ok` / `not ok` lines at any depth are not used, only top-level tests. */
export function parseTapCounts(tap: string): Counts {
  // node:test prints `# pass N` totals; bats does not, so count top-level result lines there.
  const total = (name: string) => {
    const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap);
    return match ? Number(match[1]) : undefined;
  };
  const pass = total('pass');
  if (pass !== undefined) {
    return { passed: pass, failed: total('fail') ?? 0, skipped: (total('skipped') ?? 0) + (total('todo') ?? 0) };
  }
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const line of tap.split('\n')) {
    if (/^ok \d+.*# skip/i.test(line)) counts.skipped++;
    else if (/^ok \d+/.test(line)) counts.passed++;
    else if (/^not ok \d+/.test(line)) counts.failed++;
  }
  return counts;
}

/** Python unittest's closing lines: `Ran N tests` then `OK (skipped=S)` or `FAILED (failures=F, errors=E)`. */
export function parseUnittestCounts(output: string, exitCode: number): Counts {
  const ran = Number(/^Ran (\d+) tests?/m.exec(output)?.[1] ?? 0);
  const field = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(output)?.[1] ?? 0);
  const skipped = field('skipped');
  const failed = field('failures') + field('errors') + field('unexpected successes');
  if (ran === 0 && exitCode !== 0) return { passed: 0, failed: 1, skipped: 0 };
  return { passed: ran - failed - skipped, failed, skipped };
}

export function sumCounts(all: Counts[]): Counts {
  return all.reduce((a, b) => ({ passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped }), {
    passed: 0,
    failed: 0,
    skipped: 0,
  });
}

export interface TapFailure {
  name: string;
  /** The first lines of the failure's message (node:test's `error:` block in the TAP diagnostics). */
  message: string;
}

/**
 * Failed tests from node:test's TAP with their messages, so the run can close with them: CI shows
 * only the end of a long output, and a failure's cause is printed far above it.
 */
export function parseTapFailures(tap: string, maxLines = 60): TapFailure[] {
  const failures: TapFailure[] = [];
  const lines = tap.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!head) continue;
    const indent = head[1].length;
    const message: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j];
      if (line.trim() === '...' && line.length - line.trimStart().length === indent + 2) break;
      const block = /^(\s*)error: (\|-|\|)?\s*(.*)$/.exec(line);
      if (!block) continue;
      if (!block[2]) {
        message.push(block[3].replace(/^'|'$/g, ''));
        break;
      }
      const depth = block[1].length;
      for (let k = j + 1; k < lines.length && message.length < maxLines; k++) {
        const text = lines[k];
        if (text.trim() && text.length - text.trimStart().length <= depth) break;
        message.push(text.slice(depth + 2));
      }
      break;
    }
    // A parent whose failure is only "N subtests failed" adds nothing to its failing subtests.
    if (message.length === 1 && /^\d+ subtests? failed$/.test(message[0])) continue;
    while (message.length && !message[message.length - 1].trim()) message.pop();
    failures.push({ name: head[2].replace(/\s+#.*$/, ''), message: message.join('\n') });
  }
  return failures;
}

/** Failed bats tests with bats's own `# ` diagnostic lines under each (its TAP has no YAML block). */
export function parseBatsFailures(tap: string, maxLines = 20): TapFailure[] {
  const failures: TapFailure[] = [];
  let current: TapFailure | undefined;
  let lines = 0;
  for (const line of tap.split('\n')) {
    const head = /^not ok \d+ (.*)$/.exec(line);
    if (head) {
      current = { name: head[1], message: '' };
      lines = 0;
      failures.push(current);
    } else if (current && line.startsWith('# ') && lines < maxLines) {
      current.message += `${current.message ? '\n' : ''}${line.slice(2)}`;
      lines++;
    } else if (!line.startsWith('#')) current = undefined;
  }
  return failures;
}
