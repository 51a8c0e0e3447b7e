// Static frontends (folders served as sites, nginx configs) and services in languages this tool
// does not analyse in depth: listed with the file and the reason they look like a service.
import path from 'node:path';
import { polyglotListen, springPort } from './polyglot.ts';
import { codeOf, lineAt } from './text.ts';
import type { PortValue, SourceFile } from './types.ts';

export interface StaticSite {
  dir: string;
  entry: string;
  servedBy: string | null;
  ports: PortValue[];
  health: string | null;
  proxies: Array<{ url: string; line: number; file: string }>;
}

export interface UnsupportedHit {
  language: string;
  file: string;
  dir: string;
  line: number;
  reason: string;
  port: number | null;
  /** Where the port was found (the call, or a config file such as application.properties). */
  portAt?: { file: string; line: number; env?: string; framework: string; source: 'literal' | 'env' | 'config' | 'framework-default' };
}

const SITE_DIRS = new Set(['public', 'static', 'www', 'html', 'site', 'web', 'src']);

export function isNginxConf(f: SourceFile): boolean {
  return /\.conf(\.template|\.tmpl)?$/.test(f.base) && /\bserver\s*\{/.test(f.text) && /\b(listen|location)\b/.test(f.text);
}

/** A folder with an index.html that is not a build output or a test fixture. */
export function findStaticSites(files: SourceFile[]): StaticSite[] {
  const sites: StaticSite[] = [];
  for (const f of files) {
    if (f.base.toLowerCase() !== 'index.html' || f.isTest) continue;
    // The site belongs to its project folder: frontend/public/index.html is the "frontend" site.
    const home = SITE_DIRS.has(path.posix.basename(f.dir)) && f.dir.includes('/') ? path.posix.dirname(f.dir) : f.dir;
    if (sites.some((s) => s.dir === home)) continue;
    const near = files.filter((o) => o.dir === home || o.dir === f.dir || o.dir.startsWith(`${home}/`));
    const site: StaticSite = { dir: home, entry: f.rel, servedBy: null, ports: [], health: null, proxies: [] };
    for (const o of near) {
      if (/^dockerfile/i.test(o.base)) {
        const from = /^\s*FROM\s+(?:--\S+\s+)?(\S+)/gim;
        for (const m of o.text.matchAll(from)) {
          const img = m[1].split('/').pop()?.split(':')[0] ?? '';
          if (/^(nginx|httpd|caddy|nginx-unprivileged)$/.test(img) || /\$\{?NGINX_IMAGE/.test(m[1])) site.servedBy = img.startsWith('$') ? 'nginx' : img;
          if (/NGINX_IMAGE/.test(m[1])) site.servedBy = 'nginx';
        }
      }
      if (isNginxConf(o)) {
        site.servedBy ??= 'nginx';
        const code = codeOf(o);
        for (const m of code.matchAll(/^\s*listen\s+(?:[\d.]+:|\[::\]:)?(\d+)/gm)) {
          const port = Number(m[1]);
          if (!site.ports.some((p) => p.port === port))
            site.ports.push({ port, source: 'config', config: o.rel, file: o.rel, line: lineAt(code, m.index ?? 0) });
        }
        const health = /location\s+=?\s*(\/(?:health|healthz|ready|ping)\w*)/.exec(code);
        if (health) site.health ??= health[1];
        for (const m of code.matchAll(/proxy_pass\s+(https?:\/\/[^;\s]+)/g)) site.proxies.push({ url: m[1], line: lineAt(code, m.index ?? 0), file: o.rel });
      }
    }
    sites.push(site);
  }
  return sites;
}

const UNSUPPORTED: Array<{ language: string; ext: RegExp; patterns: Array<[RegExp, string]> }> = [
  {
    language: 'go',
    ext: /^go$/,
    patterns: [
      [/http\.ListenAndServe(?:TLS)?\s*\(/, 'http.ListenAndServe'],
      [/net\.Listen\s*\(/, 'net.Listen'],
      [/\.Run\s*\(\s*":\d+"/, 'gin Run'],
      [/\be\.Start\s*\(/, 'echo Start'],
      [/fiber\.New\s*\(/, 'fiber app'],
    ],
  },
  {
    language: 'dotnet',
    ext: /^(cs|fs|csproj)$/,
    patterns: [
      [/WebApplication\.CreateBuilder/, 'ASP.NET Core WebApplication'],
      [/Microsoft\.NET\.Sdk\.Web/, 'ASP.NET Core web project'],
      [/\.UseUrls\s*\(/, 'UseUrls'],
      [/HttpListener\s*\(/, 'HttpListener'],
    ],
  },
  {
    language: 'java',
    ext: /^(java|kt|scala)$/,
    patterns: [
      [/@SpringBootApplication/, 'Spring Boot application'],
      [/SpringApplication\.run/, 'SpringApplication.run'],
      [/ServerBuilder\s*\.\s*forPort\s*\(/, 'gRPC ServerBuilder'],
      [/new\s+ServerSocket\s*\(/, 'ServerSocket'],
      [/HttpServer\.create\s*\(/, 'com.sun HttpServer'],
      [/embeddedServer\s*\(/, 'Ktor embeddedServer'],
    ],
  },
  {
    language: 'ruby',
    ext: /^(rb|ru)$/,
    patterns: [
      [/require\s+['"]sinatra/, 'Sinatra app'],
      [/TCPServer\.new/, 'TCPServer'],
      [/WEBrick::HTTPServer/, 'WEBrick server'],
      [/run\s+Rails\.application/, 'Rails app (config.ru)'],
      [/Rack::Handler/, 'Rack handler'],
    ],
  },
  {
    language: 'php',
    ext: /^php$/,
    patterns: [
      [/\$app\s*->\s*run\s*\(/, 'PHP app run()'],
      [/socket_listen\s*\(/, 'socket_listen'],
    ],
  },
  {
    language: 'rust',
    ext: /^rs$/,
    patterns: [
      [/TcpListener::bind/, 'TcpListener::bind'],
      [/HttpServer::new/, 'actix HttpServer'],
      [/axum::serve|Server::bind/, 'axum/hyper server'],
      [/rocket::build|#\[launch\]/, 'Rocket launch'],
    ],
  },
  {
    language: 'elixir',
    ext: /^exs?$/,
    patterns: [
      [/Plug\.Cowboy/, 'Plug.Cowboy'],
      [/use\s+Phoenix\.Endpoint/, 'Phoenix endpoint'],
    ],
  },
];

export function findUnsupported(files: SourceFile[]): UnsupportedHit[] {
  const hits: UnsupportedHit[] = [];
  for (const f of files) {
    if (f.isTest) continue;
    const ext = f.base === 'config.ru' ? 'ru' : f.ext;
    const lang = UNSUPPORTED.find((u) => u.ext.test(ext));
    if (!lang) continue;
    for (const [re, what] of lang.patterns) {
      const m = re.exec(f.text);
      if (!m) continue;
      const line = lineAt(f.text, m.index);
      const near = f.text.slice(m.index, m.index + 200);
      const guess = /["':](\d{4,5})\b|\bport\W{1,4}(\d{2,5})\b/i.exec(near)?.slice(1).find(Boolean);
      // The listen call followed back to its value; Spring Boot reads server.port from config.
      const read = /SpringApplication|@SpringBootApplication/.test(what) ? springPort(f, files) : polyglotListen(f);
      const port = read ? read.port : guess ? Number(guess) : null;
      const source = !read ? 'literal' : read.env ? 'env' : read.file ? 'config' : read.call.includes('default') ? 'framework-default' : 'literal';
      const portAt =
        read && (read.port !== null || read.env)
          ? ({ file: read.file ?? f.rel, line: read.line, framework: read.framework, source, ...(read.env ? { env: read.env } : {}) } as const)
          : undefined;
      hits.push({ language: lang.language, file: f.rel, dir: f.dir, line, reason: `${what} at ${f.rel}:${line}`, port, ...(portAt ? { portAt } : {}) });
      break;
    }
  }
  return hits;
}
