// Facts adopt reads from the code itself, beyond the inventory: an env variable's default and the
// variable a SQLite path comes from. Regular expressions over the source, as discovery's readers do.

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The literal default the code gives an env variable (`os.environ.get("X", "d")`, `process.env.X || 'd'`). */
export function envDefault(texts: string[], name: string): string | undefined {
  const n = escape(name);
  const patterns = [
    new RegExp(`(?:environ\\.get|getenv)\\(\\s*["']${n}["']\\s*,\\s*["']([^"']*)["']`),
    new RegExp(`process\\.env\\.${n}\\s*(?:\\|\\||\\?\\?)\\s*["'\`]([^"'\`]*)["'\`]`),
    new RegExp(`process\\.env\\[["']${n}["']\\]\\s*(?:\\|\\||\\?\\?)\\s*["'\`]([^"'\`]*)["'\`]`),
  ];
  for (const text of texts)
    for (const re of patterns) {
      const m = re.exec(text);
      if (m) return m[1];
    }
  return undefined;
}

/** The env variable a value is read from on one line of code, if any. */
function envOnLine(line: string): string | undefined {
  return (/(?:environ\.get|getenv|environ\[)\(?\s*["'](\w+)["']/.exec(line) ?? /process\.env(?:\.(\w+)|\[["'](\w+)["']\])/.exec(line))?.slice(1).find(Boolean);
}

/**
 * The env variable a SQLite file's path comes from: read on the line that opens it
 * (`sqlite3.connect(os.environ["DB"])`) or on the assignment of the name it opens (`DB_PATH = ...`).
 */
export function sqlitePathVariable(text: string, line: number): string | undefined {
  const lines = text.split('\n');
  const opening = lines[line - 1] ?? '';
  const direct = envOnLine(opening);
  if (direct) return direct;
  const arg = /(?:connect|Database)\(\s*([A-Za-z_][\w.]*)/.exec(opening)?.[1]?.split('.').pop();
  if (!arg) return undefined;
  const assignment = new RegExp(`^\\s*(?:const |let |var )?${escape(arg)}\\s*=(.*)$`);
  for (const l of lines) {
    const m = assignment.exec(l);
    if (m) return envOnLine(m[1]);
  }
  return undefined;
}

/** A secret by its name: never given a default, generated into .env instead. */
export function isSecretName(name: string): boolean {
  return /(SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIALS?)$/.test(name) || /SECRET/.test(name);
}

/**
 * A variable naming a folder of local state (`UPLOAD_DIR`, `DATA_PATH`, `MEDIA_ROOT`): by its name,
 * as a value's use in code cannot tell a folder from a file. SQLite paths are settled before this.
 */
export function isDataFolderName(name: string): boolean {
  return /(^|_)(DATA|UPLOADS?|STORAGE|MEDIA|FILES|ATTACHMENTS)(_\w+)?_(DIR|FOLDER|PATH|ROOT)$/.test(name);
}
