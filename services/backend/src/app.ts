// Request handling: routes, per-request metrics and JSON access logs.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Cache } from './cache.js';
import { asStatusEntries, healthReport, type DependencyMonitor } from './deps.js';
import { aggregateStatus, probe, type StatusEntry } from './status.js';
import { answer, ChatInputError, parseChatRequest } from './chat.js';
import { createNote, deleteNote, listNotes, saveExchange, type Note } from './db.js';
import { HttpError, readJson, Router, sendJson, sendText, type Ctx } from './http.js';
import { checkWrite, type WritePolicy } from './auth.js';
import type { PrometheusCharts } from './prometheus.js';

export interface AppState {
  migrated: boolean;
  shuttingDown: boolean;
}

export interface AppDeps {
  cfg: Config;
  pool: pg.Pool;
  cache: Cache;
  deps: DependencyMonitor;
  metrics: Metrics;
  log: Logger;
  state: AppState;
  charts: PrometheusCharts;
}

export function createHandler(d: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { cfg, pool, cache, deps, metrics, log, state, charts } = d;
  const router = new Router();
  const writePolicy: WritePolicy = { token: cfg.apiToken, allowedOrigins: cfg.allowedOrigins };

  const requireSchema = () => {
    if (!state.migrated) throw new HttpError(503, 'database schema not ready yet');
  };

  router.add('GET', '/health', async ({ res }) => {
    const report = healthReport(await deps.check(), state.migrated, cfg.appVersion);
    sendJson(res, report.httpStatus, report.body);
  });

  router.add('GET', '/metrics', async ({ res }) => {
    await deps.check(); // refreshes galaxy_dependency_up
    sendText(res, 200, metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
  });

  router.add('GET', '/api/version', ({ res }) => {
    sendJson(res, 200, {
      service: 'backend',
      version: cfg.appVersion,
      node: process.version,
      startedAt: new Date(metrics.startTimeSeconds * 1000).toISOString(),
    });
  });

  router.add('GET', '/api/status', async ({ res }) => {
    const [own, probed] = await Promise.all([deps.check(), Promise.all(cfg.statusTargets.map((t) => probe(t, cfg.probeTimeoutMs)))]);
    const health = healthReport(own, state.migrated, cfg.appVersion);
    const self: StatusEntry = { name: 'backend', kind: 'self', status: health.body.status === 'down' ? 'down' : 'ok', critical: true };
    sendJson(res, 200, { version: cfg.appVersion, ...aggregateStatus([self, ...asStatusEntries(own), ...probed]) });
  });

  // Always 200: whether Prometheus answered is in the body (`prometheus.status`), so the page can
  // say "charts unavailable" while the health table above it still works.
  router.add('GET', '/api/status/charts', async ({ res }) => {
    sendJson(res, 200, await charts.report());
  });

  router.add('GET', '/api/notes', async ({ res }) => {
    requireSchema();
    const cached = await cache.getNotes<Note[]>();
    if (cached) return sendJson(res, 200, { items: cached, source: 'cache' });
    const items = await listNotes(pool);
    await cache.setNotes(items);
    sendJson(res, 200, { items, source: 'database' });
  });

  router.add('POST', '/api/notes', async ({ req, res }) => {
    requireSchema();
    const body = (await readJson(req)) as { title?: unknown; body?: unknown };
    if (typeof body?.title !== 'string' || !body.title.trim() || body.title.length > 200) {
      throw new HttpError(400, 'title must be a non-empty string of at most 200 characters');
    }
    if (body.body !== undefined && (typeof body.body !== 'string' || body.body.length > 10000)) {
      throw new HttpError(400, 'body must be a string of at most 10000 characters');
    }
    const note = await createNote(pool, body.title.trim(), (body.body as string | undefined) ?? '');
    await cache.invalidateNotes();
    sendJson(res, 201, note);
  });

  router.add('DELETE', '/api/notes/:id(int)', async ({ res, params }) => {
    requireSchema();
    if (!(await deleteNote(pool, Number(params.id)))) throw new HttpError(404, 'note not found');
    await cache.invalidateNotes();
    res.writeHead(204).end();
  });

  router.add('POST', '/api/chat', async ({ req, res }) => {
    let parsed: ReturnType<typeof parseChatRequest>;
    try {
      parsed = parseChatRequest(await readJson(req));
    } catch (err) {
      if (err instanceof ChatInputError) throw new HttpError(400, err.message);
      throw err;
    }
    const { message, sessionId } = parsed;
    const history = sessionId ? await cache.history(sessionId) : [];
    const reply = await answer({ apiKey: cfg.geminiApiKey, model: cfg.geminiModel, apiBase: cfg.geminiApiBase }, history, message);
    if (sessionId)
      await cache.remember(sessionId, [
        { role: 'user', text: message },
        { role: 'model', text: reply.answer },
      ]);
    const memoryId = await storeInMemory(cfg, log, sessionId, message, reply.answer, reply.source);
    let exchangeId: number | undefined;
    if (state.migrated) {
      exchangeId = await saveExchange(pool, { sessionId, message, answer: reply.answer, source: reply.source, memoryId }).catch((err: Error) => {
        log.warn('chat exchange not saved to postgres', { error: err.message });
        return undefined;
      });
    }
    sendJson(res, 200, {
      ...reply,
      sessionId: sessionId ?? null,
      stored: { postgres: exchangeId !== undefined, memory: memoryId !== undefined, memoryId: memoryId ?? null },
    });
  });

  return (req, res) => {
    const started = performance.now();
    // Read now: once a refused body's connection is closed, req.socket is gone.
    const remote = req.socket?.remoteAddress;
    let url: URL | undefined;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // an absolute-form target Node's parser let through but URL cannot read ("http://[")
    }
    const { route, handler, params } = url ? router.match(req.method ?? 'GET', url.pathname) : { route: 'malformed', handler: undefined, params: {} };
    // While draining, tell keep-alive clients to reconnect (to another instance) after this answer.
    if (state.shuttingDown) res.setHeader('connection', 'close');
    res.on('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      metrics.observeRequest(req.method ?? 'GET', route, res.statusCode, seconds);
      if (!(route === '/health' || route === '/metrics') || res.statusCode >= 400) {
        log.info('request', {
          method: req.method,
          path: url?.pathname.slice(0, 200) ?? null,
          route,
          status: res.statusCode,
          duration_ms: Math.round(seconds * 100000) / 100,
          remote,
        });
      }
    });
    const run = async () => {
      if (!url) throw new HttpError(400, 'malformed request target');
      // Once, before any route reads a body: a write that is not admitted never has its body read.
      checkWrite(req.method ?? 'GET', req.headers, writePolicy);
      if (!handler) throw new HttpError(route === 'method_not_allowed' ? 405 : 404, route === 'method_not_allowed' ? 'method not allowed' : 'not found');
      await handler({ req, res, url, params } satisfies Ctx);
    };
    run().catch((err: Error) => {
      if (res.headersSent) return res.destroy(err);
      // A body refused before its end (413) is left unread: close rather than read it to find the next request.
      if (!req.complete) res.setHeader('connection', 'close');
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message }, err.headers);
      // PostgreSQL's class 22 (data exception: a value it cannot store) is the caller's input, not a bug.
      if (/^22/.test(String((err as { code?: unknown }).code ?? ''))) return sendJson(res, 400, { error: 'a value in the request cannot be stored' });
      log.error('request failed', { route, error: err.message });
      // Postgres unreachable is an availability problem, not a bug: say 503 so proxies may retry.
      const unavailable = /ECONNREFUSED|ENOTFOUND|timeout|terminat|Connection/i.test(err.message);
      sendJson(res, unavailable ? 503 : 500, { error: unavailable ? 'dependency unavailable' : 'internal error' });
    });
  };
}

/** The backend's HTTP server: the handler above, bounded waits for slow clients, and requests
 * Node's parser refuses (a bad or doubled length, a header too large) answered with the same JSON
 * error as every other refusal instead of Node's bare 400. */
export function createAppServer(d: AppDeps): Server {
  const server = createServer({ keepAliveTimeout: 5000, headersTimeout: 10_000, requestTimeout: 30_000 }, createHandler(d));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({ error: `malformed request (${err.code ?? 'unknown'})` });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    d.metrics.observeRequest('OTHER', 'malformed', status, 0);
    d.log.info('request rejected', { status, reason: err.code, remote: (socket as Duplex & { remoteAddress?: string }).remoteAddress });
  });
  return server;
}

async function storeInMemory(
  cfg: Config,
  log: Logger,
  sessionId: string | undefined,
  message: string,
  reply: string,
  source: string,
): Promise<number | undefined> {
  try {
    const res = await fetch(`${cfg.memoryApiUrl}/conversations`, {
      method: 'POST',
      // memory-api admits writes with the stack's one API token (docs/SECURITY.md)
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cfg.apiToken}` },
      body: JSON.stringify({
        session: sessionId ?? null,
        messages: [
          { role: 'user', content: message },
          { role: 'assistant', content: reply },
        ],
        metadata: { source, service: 'backend', version: cfg.appVersion },
      }),
      signal: AbortSignal.timeout(cfg.probeTimeoutMs),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return ((await res.json()) as { id?: number }).id;
  } catch (err) {
    // memory-api is not critical: the answer is still given, and `stored.memory: false` says so
    log.warn('chat exchange not stored in memory-api', { error: (err as Error).message });
    return undefined;
  }
}
