// Minimal routing and JSON helpers over node:http; routes are templates so that the metrics
// `route` label stays bounded (ids never become label values).
import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Sent with the JSON error (WWW-Authenticate on a 401). */
    readonly headers: Record<string, string> = {},
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
  ints: string[];
}

/** A path parameter declared `:name(int)`: ASCII digits up to 2^53 - 1 (exact in a JS number,
 * within PostgreSQL's bigint), else 400. */
export function intParam(name: string, raw: string): number {
  const value = /^[0-9]{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value)) throw new HttpError(400, `${name} must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
  return value;
}

/** Templates like `/api/notes/:id(int)`; the label (`/api/notes/:id`) is the metrics `route`. A
 * typed parameter reaches the handler already checked (`params.id` is its digits), so no handler
 * parses ids itself. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, template: string, handler: Handler): this {
    const ints = [...template.matchAll(/:(\w+)\(int\)/g)].map((m) => m[1]);
    const label = template.replace(/:(\w+)\(int\)/g, ':$1');
    const regex = new RegExp(`^${label.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`);
    this.routes.push({ method, template: label, regex, handler, ints });
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
        const params = { ...(m.groups ?? {}) };
        try {
          for (const name of r.ints) params[name] = String(intParam(name, params[name]));
        } catch (err) {
          // answered under the route's own label, like any other refusal by the handler
          return { route: r.template, params, handler: () => Promise.reject(err) };
        }
        return { route: r.template, handler: r.handler, params };
      }
    }
    return { route: pathKnown ? 'method_not_allowed' : 'unmatched', params: {} };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export const MAX_BODY = 64 * 1024;
// Nothing the backend accepts is deeper; a bound keeps every later walk or stringify of a body cheap.
export const MAX_DEPTH = 32;

/** The request body, at most MAX_BODY bytes however its length is given (Content-Length or
 * chunked; Node's parser has already refused a malformed or doubled framing with a 400). Past the
 * limit it stops reading and throws 413 without destroying the request: the answer still goes out,
 * and the handler closes the connection because the rest of the body was never read. */
export function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new HttpError(413, `body larger than ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      if (err) {
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return done(new HttpError(413, `body larger than ${limit} bytes`));
      chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (err: Error) => done(err);
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a parsed body cannot be stored or sent on, or undefined when it can: PostgreSQL text holds
 * neither NUL nor lone UTF-16 surrogates (which JSON's \\u escapes can produce), 1e400 parses to
 * Infinity, integers past 2^53 have already lost digits, and depth is bounded (MAX_DEPTH). */
export function unstorable(value: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'text must not contain NUL characters';
      if (LONE_SURROGATE.test(v)) return 'text must not contain lone UTF-16 surrogates';
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return 'numbers must be finite';
      if (Number.isInteger(v) && !Number.isSafeInteger(v)) return 'integers must be within ±(2^53 - 1)';
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) return `JSON must not be nested deeper than ${MAX_DEPTH} levels`;
      for (const [key, item] of Object.entries(v)) stack.push([key, depth], [item, depth + 1]);
    }
  }
  return undefined;
}

/** The one JSON reader for request bodies: what it returns can be stored; anything else is a 400. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  if (raw.length === 0) throw new HttpError(400, 'request body must be JSON');
  let value: unknown;
  try {
    // fatal: invalid UTF-8 is an error here, not silently replaced by U+FFFD
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  const problem = unstorable(value);
  if (problem) throw new HttpError(400, `request body: ${problem}`);
  return value;
}
