// Entry point: wire config, clients and the HTTP server; migrate in the background; drain on SIGTERM.
import { ConfigError, describeConfig, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { Metrics } from './metrics.js';
import { createPool, migrate } from './db.js';
import { Cache, createRedis } from './cache.js';
import { DependencyMonitor } from './deps.js';
import { createAppServer, type AppState } from './app.js';
import { PrometheusCharts } from './prometheus.js';

const DRAIN_MS = 8000; // the contract allows 10 s; keep 2 s for closing pg/redis and exiting
const MIGRATE_RETRY_MS = 2000;

function main(): void {
  let cfg;
  try {
    cfg = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger('backend', cfg.logLevel);
  log.info('starting', { config: describeConfig(cfg), pid: process.pid });

  const metrics = new Metrics('backend', cfg.appVersion);
  const pool = createPool(cfg.databaseUrl);
  // An idle client losing its connection (postgres restart) must not crash the process.
  pool.on('error', (err) => log.warn('postgres idle client error', { error: err.message }));
  const redis = createRedis(cfg.redisUrl, log);
  redis.connect().catch((err: Error) => log.warn('redis connect failed, retrying in background', { error: err.message }));
  const deps = new DependencyMonitor({
    pool,
    redis,
    memoryApiUrl: cfg.memoryApiUrl,
    experienceApiUrl: cfg.experienceApiUrl,
    timeoutMs: cfg.probeTimeoutMs,
    metrics,
  });
  const state: AppState = { migrated: false, shuttingDown: false };

  const charts = new PrometheusCharts(cfg.prometheus, cfg.probeTimeoutMs);
  const server = createAppServer({ cfg, pool, cache: new Cache(redis, log), deps, metrics, log, state, charts });
  server.listen(cfg.port, cfg.host, () => log.info('listening', { host: cfg.host, port: cfg.port, version: cfg.appVersion }));

  // Serve /health (503) while postgres is not reachable yet instead of crash-looping.
  let migrateTimer: NodeJS.Timeout | undefined;
  const runMigrations = async () => {
    try {
      const applied = await migrate(pool, log);
      state.migrated = true;
      log.info('schema ready', { applied });
    } catch (err) {
      log.warn('migrations not applied yet, will retry', { error: (err as Error).message, retryMs: MIGRATE_RETRY_MS });
      if (!state.shuttingDown) migrateTimer = setTimeout(runMigrations, MIGRATE_RETRY_MS);
    }
  };
  void runMigrations();

  const shutdown = async (signal: string) => {
    if (state.shuttingDown) return;
    state.shuttingDown = true;
    log.info('signal received, draining', { signal });
    clearTimeout(migrateTimer);
    // Whatever happens below, exit 0 before the orchestrator's 10 s kill.
    setTimeout(() => {
      log.warn('shutdown deadline reached, exiting');
      process.exit(0);
    }, 9500).unref();
    const forceClose = setTimeout(() => {
      log.warn('drain deadline reached, closing remaining connections');
      server.closeAllConnections();
    }, DRAIN_MS);
    await new Promise<void>((resolve) => {
      server.close(() => resolve()); // stop accepting; resolves when the last connection ends
      server.closeIdleConnections(); // idle keep-alive sockets would otherwise hold close() open
    });
    clearTimeout(forceClose);
    await pool.end().catch((err: Error) => log.warn('pg pool close failed', { error: err.message }));
    if (redis.isReady) await redis.close().catch(() => redis.destroy());
    else if (redis.isOpen) redis.destroy(); // still reconnecting: stop the retry loop
    log.info('stopped');
    process.exitCode = 0;
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main();
