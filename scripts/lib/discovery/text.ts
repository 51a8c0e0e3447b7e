// Lightweight text helpers for static analysis: comments blanked with offsets kept, call arguments split.

/**
 * Blanks comments (keeps newlines and string contents) so a `listen(3000)` in a comment is not a
 * service, while every match index still maps to the original line.
 */
export function stripComments(text: string, style: 'c' | 'hash'): string {
  // Blanked ranges are collected and applied once: far cheaper than editing a char array.
  const ranges: Array<[number, number]> = [];
  let i = 0;
  const n = text.length;
  const blank = (from: number, to: number) => {
    if (to > from) ranges.push([from, to]);
  };
  while (i < n) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      // Python triple quotes are strings too; skip to the matching closer.
      const triple = style === 'hash' && text.startsWith(ch.repeat(3), i);
      const close = triple ? ch.repeat(3) : ch;
      let j = i + close.length;
      while (j < n && !text.startsWith(close, j)) {
        if (text[j] === '\\') j++;
        else if (!triple && ch !== '`' && text[j] === '\n') break;
        j++;
      }
      i = j + close.length;
      continue;
    }
    if (style === 'c' && ch === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      blank(i, end < 0 ? n : end);
      i = end < 0 ? n : end;
      continue;
    }
    // A regex literal (a `/` where a value starts): blanked, so its brackets, quotes and `//`
    // neither look like comments nor unbalance the code around it.
    if (
      style === 'c' &&
      ch === '/' &&
      text[i + 1] !== '/' &&
      text[i + 1] !== '*' &&
      /(^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof)\s*$/.test(text.slice(Math.max(0, i - 12), i))
    ) {
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== '\n') {
        if (text[j] === '\\') j++;
        else if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
        else if (text[j] === '/' && !inClass) break;
        j++;
      }
      if (j < n && text[j] === '/') {
        blank(i + 1, j);
        i = j + 1;
        continue;
      }
    }
    if (style === 'c' && ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      blank(i, end < 0 ? n : end + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    // In shell, `$#` and `${#x}` are not comments; a comment starts a word.
    if (style === 'hash' && ch === '#' && (i === 0 || /[\s;]/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      blank(i, end < 0 ? n : end);
      i = end < 0 ? n : end;
      continue;
    }
    i++;
  }
  if (!ranges.length) return text;
  const parts: string[] = [];
  let at = 0;
  for (const [from, to] of ranges) {
    parts.push(text.slice(at, from), text.slice(from, to).replace(/[^\n]/g, ' '));
    at = to;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

const strippedCache = new WeakMap<object, string>();

/** Languages with `//` and block comments: a URL in a comment is documentation, not a call. */
export const C_STYLE = new Set(['node', 'go', 'java', 'kotlin', 'dotnet', 'rust', 'php', 'scala']);

/**
 * A file's text with comments blanked, computed once per file: C-style for JavaScript/TypeScript, Go, Java, C#...,
 * `#` for Python, shell and config; JSON and HTML as they are.
 */
export function codeOf(file: { text: string; language: string | null; ext: string }): string {
  let code = strippedCache.get(file);
  if (code === undefined) {
    if (C_STYLE.has(file.language ?? '')) code = stripComments(file.text, 'c');
    else if (file.ext === 'json' || file.language === 'html') code = file.text;
    else code = stripComments(file.text, 'hash');
    strippedCache.set(file, code);
  }
  return code;
}

// Line starts of the last text asked about: a file with thousands of calls asks thousands of
// times, and counting newlines from the start each time would be quadratic.
let indexed: { text: string; starts: number[] } | null = null;

/** Maps an offset to a 1-based line number. */
export function lineAt(text: string, index: number): number {
  if (indexed?.text !== text) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    indexed = { text, starts };
  }
  const { starts } = indexed;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** The text inside the brackets opening at `open` (an index of '('), or null when unbalanced. */
export function balanced(text: string, open: number): string | null {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let i = open; i < text.length && i < open + 4000; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (pairs[ch]) stack.push(pairs[ch]);
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (stack.pop() !== ch) return null;
      if (stack.length === 0) return text.slice(open + 1, i);
    }
  }
  return null;
}

/** Splits call arguments at top-level commas. */
export function splitArgs(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const ch = args[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < args.length && args[j] !== ch) j += args[j] === '\\' ? 2 : 1;
      i = j;
    } else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = args.slice(start).trim();
  if (last) parts.push(last);
  return parts;
}

/** Splits at the first top-level occurrence of one of the operators (e.g. `||`, `??`, ` or `). */
export function splitTop(expr: string, ops: string[]): [string, string] | null {
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== ch) j += expr[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (depth === 0) {
      for (const op of ops) {
        if (expr.startsWith(op, i)) return [expr.slice(0, i).trim(), expr.slice(i + op.length).trim()];
      }
    }
  }
  return null;
}

/** The value of a plain string literal, or null (template strings with `${}` are not plain). */
export function stringLiteral(expr: string): string | null {
  const m = /^(?:[rbuf]{0,2})(['"`])([^'"`]*)\1$/s.exec(expr.trim());
  if (!m || (m[1] === '`' && m[2].includes('${'))) return null;
  return m[2];
}

/**
 * A `host:port` address written as a string (`'[::]:50051'`), a template (`\`0.0.0.0:${PORT}\``,
 * `f"0.0.0.0:{PORT}"`) or a concatenation (`'[::]:' + port`): the host as written and either the
 * literal port or the expression that gives it.
 */
export function splitAddress(expr: string): { host: string | null; port?: number; portExpr?: string } {
  const e = expr.trim();
  const whole = /^[fbr]?(['"`])([^'"`]*)\1$/.exec(e);
  if (whole) {
    const m = /^(.*):(?:(\d{1,5})|\$?\{([^{}]+)\})$/.exec(whole[2]);
    if (!m) return { host: null };
    return { host: m[1] || null, ...(m[2] ? { port: Number(m[2]) } : { portExpr: m[3] }) };
  }
  const parts = splitTop(e, ['+']);
  if (!parts) return { host: null };
  const host = /^[fbr]?(['"`])([^'"`]*):\1$/.exec(parts[0])?.[2];
  return host === undefined ? { host: null } : { host: host || null, portExpr: parts[1] };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every match of a global regex with its 1-based line number. */
export function* matchesWithLine(text: string, re: RegExp): Generator<{ m: RegExpExecArray; line: number }> {
  let line = 1;
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    for (let i = last; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
    last = m.index;
    yield { m, line };
    if (m[0].length === 0) re.lastIndex++;
  }
}
