// Minimal routing and JSON helpers over node:http; routes are templates so that the metrics
// `route` label stays bounded (ids never become label values).
import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, template: string, handler: Handler): this {
    const regex = new RegExp(`^${template.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`);
    this.routes.push({ method, template, regex, handler });
    return this;
  }

  /** `route` is the template, or `unmatched` / `method_not_allowed` for the metrics label. */
  match(method: string, path: string): { route: string; handler?: Handler; params: Record<string, string> } {
    let pathKnown = false;
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      pathKnown = true;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) {
        return { route: r.template, handler: r.handler, params: { ...(m.groups ?? {}) } };
      }
    }
    return { route: pathKnown ? 'method_not_allowed' : 'unmatched', params: {} };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const MAX_BODY = 64 * 1024;

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) throw new HttpError(400, 'request body must be JSON');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}
