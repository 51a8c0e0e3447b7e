// Reads one command line (a shell script line, a package.json script, a Dockerfile CMD, a Procfile
// entry) and says what it starts: which file or module, on which port and address.
import path from 'node:path';
import { shorten } from './facts.ts';

export interface Launch {
  command: string;
  kind: 'node' | 'python' | 'asgi' | 'wsgi' | 'http.server' | 'npm' | 'compose' | 'docker' | 'script' | 'stop' | 'frontend-dev';
  /** The file as written (resolved to a scanned file by the caller). */
  target: string | null;
  port: number | null;
  host: string | null;
  env: Record<string, string>;
  framework: string | null;
  reload: boolean;
  /** Started in the background (`&`, nohup): the script starts a long-running program. */
  background: boolean;
  /** The port is the tool's default, not written in the command. */
  portIsDefault?: boolean;
}

const FRONTEND_DEV: Array<[RegExp, string, number]> = [
  [/\bnext\s+(?:start|dev)\b/, 'next', 3000],
  [/\breact-scripts\s+start\b/, 'create-react-app', 3000],
  [/\bvite\s+preview\b/, 'vite', 4173],
  [/\bvite\b(?!\s+build)/, 'vite', 5173],
  [/\bnuxt\s+(?:start|dev)\b/, 'nuxt', 3000],
  [/\bserve\s+(?:-s\s+)?\S+/, 'serve', 3000],
  [/\bhttp-server\b/, 'http-server', 8080],
  [/\bng\s+serve\b/, 'angular', 4200],
];

function flag(cmd: string, names: string[]): string | null {
  for (const n of names) {
    const m = new RegExp(`(?:^|\\s)${n.replace(/-/g, '\\-')}(?:=|\\s+)['"]?([^\\s'"]+)`).exec(cmd);
    if (m) return m[1];
  }
  return null;
}

function num(v: string | null): number | null {
  return v && /^\d{1,5}$/.test(v) ? Number(v) : null;
}

/** One launch per command in the line (`a && b`, `a & b`), skipping ones that start nothing known. */
export function parseLaunches(line: string): Launch[] {
  const out: Launch[] = [];
  const background = /\bnohup\b|(?<![&>|])&\s*(?:$|\)|wait\b)/.test(line.trim()) || /(?<![&>])&(?![&>])/.test(line);
  for (const raw of line.split(/\s*(?:&&|\|\||;|(?<![>&])&(?!>))\s*/)) {
    const l = parseOne(raw.trim().replace(/^\(+\s*|\s*\)+$/g, ''));
    if (l) out.push({ ...l, background });
  }
  return out;
}

function parseOne(part: string): Launch | null {
  let cmd = part
    .replace(/^(?:exec|nohup|sudo(?:\s+-\S+)*|time)\s+/, '')
    .replace(/\s+[12]?>>?\s*\S+/g, '')
    .replace(/\s+2>&1/g, '')
    .trim();
  const env: Record<string, string> = {};
  for (let m = /^([A-Za-z_]\w*)=("[^"]*"|'[^']*'|\S*)\s+/.exec(cmd); m; m = /^([A-Za-z_]\w*)=("[^"]*"|'[^']*'|\S*)\s+/.exec(cmd)) {
    env[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
    cmd = cmd.slice(m[0].length);
  }
  cmd = cmd.replace(/^(?:exec|nohup)\s+/, '');
  const base = (kind: Launch['kind'], target: string | null, extra: Partial<Launch> = {}): Launch => ({
    command: shorten(part, 100),
    kind,
    target,
    port: null,
    host: null,
    env,
    framework: null,
    reload: false,
    background: false,
    ...extra,
  });
  const words = cmd.split(/\s+/);
  const prog = path.posix.basename(words[0] ?? '').replace(/['"]/g, '');
  if (/^(kill|pkill|killall|fuser|lsof)$/.test(prog)) {
    const port = num(/(\d{2,5})\/tcp/.exec(cmd)?.[1] ?? /:(\d{2,5})\b/.exec(cmd)?.[1] ?? null);
    // `kill "$pid"` in a cleanup trap stops nothing we know; a port, a name or a pid file does.
    if (port === null && !/^(pkill|killall)$/.test(prog) && !/\.pid\b/.test(cmd)) return null;
    return base('stop', null, { port });
  }
  if (/^(uvicorn|hypercorn|gunicorn)$/.test(prog) || (/^python[\d.]*$/.test(prog) && /-m\s+(uvicorn|gunicorn)\b/.test(cmd))) {
    const app = /\s([\w.]+):[\w()]+/.exec(cmd)?.[1] ?? null;
    const server = /gunicorn/.test(cmd) ? 'gunicorn' : /hypercorn/.test(cmd) ? 'hypercorn' : 'uvicorn';
    const bind = flag(cmd, ['--bind', '-b']);
    const port = num(flag(cmd, ['--port', '-p'])) ?? num(bind?.split(':')[1] ?? null) ?? (server === 'gunicorn' ? 8000 : 8000);
    const host = flag(cmd, ['--host', '-h']) ?? (bind ? bind.split(':')[0] : server === 'gunicorn' ? '127.0.0.1' : '127.0.0.1');
    return base(server === 'gunicorn' ? 'wsgi' : 'asgi', app ? `${app.replace(/\./g, '/')}.py` : null, {
      port,
      host,
      framework: server,
      reload: /--reload\b/.test(cmd),
    });
  }
  if (/^python[\d.]*$|^py$/.test(prog) || prog === 'flask') {
    const mod = /\s-m\s+([\w.]+)(.*)$/.exec(cmd);
    if (mod?.[1] === 'http.server') {
      const port = num(/^\s*(?:--?\S+\s+\S+\s+)*(\d{2,5})\b/.exec(mod[2])?.[1] ?? null) ?? 8000;
      return base('http.server', flag(mod[2], ['--directory', '-d']), { port, host: flag(mod[2], ['--bind', '-b']) ?? '0.0.0.0', framework: 'http.server' });
    }
    if (prog === 'flask' || mod?.[1] === 'flask') {
      return base('python', flag(cmd, ['--app', '-A']), {
        port: num(flag(cmd, ['--port', '-p'])) ?? 5000,
        host: flag(cmd, ['--host', '-h']) ?? '127.0.0.1',
        framework: 'flask',
        reload: /--debug|--reload/.test(cmd),
      });
    }
    if (mod) return base('python', `${mod[1].replace(/\./g, '/')}.py`);
    const file = words.slice(1).find((w) => /\.py['"]?$/.test(w));
    return file ? base('python', file.replace(/['"]/g, '')) : null;
  }
  if (/^(node|nodejs|tsx|ts-node|ts-node-esm|nodemon|bun|deno|pm2|forever)$/.test(prog)) {
    const file = words.slice(1).find((w) => /\.(m|c)?[jt]sx?['"]?$/.test(w) && !w.startsWith('-'));
    return file ? base('node', file.replace(/['"]/g, ''), { reload: prog === 'nodemon' || /--watch/.test(cmd) }) : null;
  }
  if (/^(npm|yarn|pnpm)$/.test(prog)) {
    if (/\b(start|dev|serve)\b/.test(cmd)) return base('npm', flag(cmd, ['--prefix', '--cwd', '-C']));
    return null;
  }
  if ((prog === 'docker' && /\bcompose\b.*\bup\b/.test(cmd)) || (prog === 'docker-compose' && /\bup\b/.test(cmd))) return base('compose', null);
  if (prog === 'docker' && /\brun\b/.test(cmd)) return base('docker', null, { port: num(/-p\s+(?:[\d.]+:)?(\d+):/.exec(cmd)?.[1] ?? null) });
  for (const [re, fw, port] of FRONTEND_DEV) {
    if (re.test(cmd) && /^(next|react-scripts|vite|nuxt|serve|http-server|ng|npx)$/.test(prog)) {
      const given = num(flag(cmd, ['--port', '-p', '-l']));
      return base('frontend-dev', null, { port: given ?? port, framework: fw, portIsDefault: given === null });
    }
  }
  if (/^(bash|sh|zsh)$/.test(prog) && words[1] && /\.sh['"]?$/.test(words[1])) return base('script', words[1].replace(/['"]/g, ''));
  if (/^\.?\.?\/\S+\.sh$/.test(words[0] ?? '')) return base('script', words[0]);
  return null;
}
