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
