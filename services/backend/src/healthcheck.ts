// Compose healthcheck: exit 0 only when GET /health answers 200 (slim images have no curl).
// 6 s: below the compose healthcheck timeout (10 s) with room for a slow process start on a busy
// machine, so a slow answer is reported here instead of the probe being killed.
// Usage: node dist/healthcheck.js [url]   default http://127.0.0.1:$PORT/health
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}/health`;

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(6000) });
  if (res.status !== 200) {
    process.stderr.write(`unhealthy: HTTP ${res.status} ${(await res.text()).slice(0, 300)}\n`);
    process.exitCode = 1;
  }
} catch (err) {
  process.stderr.write(`unhealthy: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
