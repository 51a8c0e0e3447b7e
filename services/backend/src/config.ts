// Configuration from the environment, parsed once and validated so a typo fails at start, loudly.
import { tokenProblem } from './auth.js';
import type { PrometheusSettings } from './prometheus.js';

export interface StatusTarget {
  name: string;
  url: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  memoryApiUrl: string;
  experienceApiUrl: string;
  statusTargets: StatusTarget[];
  geminiApiKey: string | undefined;
  geminiModel: string;
  geminiApiBase: string;
  appVersion: string;
  logLevel: LogLevel;
  probeTimeoutMs: number;
  /** API_TOKEN: admits writes here and is sent on the backend's own writes to memory-api. */
  apiToken: string;
  /** API_ALLOWED_ORIGINS: browser origins whose pages may write (the site through the edge). */
  allowedOrigins: string[];
  /** PROMETHEUS_URL with ADMIN_USER / ADMIN_PASSWORD: the status page's charts; unset, the page says so. */
  prometheus: PrometheusSettings | undefined;
}

export class ConfigError extends Error {}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function httpUrl(name: string, raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL: ${raw}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name} must be http(s): ${raw}`);
  }
  return raw.replace(/\/+$/, '');
}

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer in ${min}..${max}, got ${raw}`);
  }
  return value;
}

/** `name=url,name=url` → targets; blank items are ignored, duplicates and bad URLs rejected. */
export function parseStatusTargets(raw: string | undefined): StatusTarget[] {
  const targets: StatusTarget[] = [];
  for (const item of (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = item.indexOf('=');
    const name = eq > 0 ? item.slice(0, eq).trim() : '';
    if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) {
      throw new ConfigError(`STATUS_TARGETS item must be name=url, got "${item}"`);
    }
    if (targets.some((t) => t.name === name)) {
      throw new ConfigError(`STATUS_TARGETS names "${name}" twice`);
    }
    targets.push({ name, url: httpUrl(`STATUS_TARGETS[${name}]`, item.slice(eq + 1).trim()) });
  }
  return targets;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const databaseUrl = env.DATABASE_URL ?? '';
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be set to a postgres:// URL');
  }
  const redisUrl = env.REDIS_URL || 'redis://redis:6379';
  if (!/^rediss?:\/\//.test(redisUrl)) throw new ConfigError(`REDIS_URL must be a redis:// URL, got ${redisUrl}`);
  const level = (env.LOG_LEVEL || 'info').toLowerCase() as LogLevel;
  if (!LEVELS.includes(level)) throw new ConfigError(`LOG_LEVEL must be one of ${LEVELS.join(', ')}`);
  const model = env.GEMINI_MODEL || 'gemini-2.5-flash';
  if (!/^[\w.-]+$/.test(model)) throw new ConfigError(`GEMINI_MODEL has unexpected characters: ${model}`);
  const tokenError = tokenProblem(env.API_TOKEN);
  if (tokenError) throw new ConfigError(tokenError);
  const allowedOrigins = (env.API_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of allowedOrigins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      /* reported below */
    }
    if (!url || url.origin !== origin.replace(/\/+$/, '').toLowerCase()) {
      throw new ConfigError(`API_ALLOWED_ORIGINS items must be origins like http://127.0.0.1:8080, got ${origin}`);
    }
  }
  const prometheusUrl = env.PROMETHEUS_URL?.trim();
  if (prometheusUrl && !env.ADMIN_PASSWORD) {
    throw new ConfigError('PROMETHEUS_URL is set but ADMIN_PASSWORD is empty: Prometheus answers only with the admin credentials');
  }
  const adminUser = env.ADMIN_USER || 'admin';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(adminUser)) throw new ConfigError(`ADMIN_USER must be 1 to 64 letters, digits, '.', '_' or '-', got ${adminUser}`);
  return {
    port: int('PORT', env.PORT, 3000, 1, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    redisUrl,
    memoryApiUrl: httpUrl('MEMORY_API_URL', env.MEMORY_API_URL || 'http://memory-api:37778'),
    experienceApiUrl: httpUrl('EXPERIENCE_API_URL', env.EXPERIENCE_API_URL || 'http://experience-api:5556'),
    statusTargets: parseStatusTargets(env.STATUS_TARGETS),
    geminiApiKey: env.GEMINI_API_KEY?.trim() || undefined,
    geminiModel: model,
    geminiApiBase: httpUrl('GEMINI_API_BASE', env.GEMINI_API_BASE || 'https://generativelanguage.googleapis.com'),
    appVersion: env.APP_VERSION || 'dev',
    logLevel: level,
    probeTimeoutMs: int('PROBE_TIMEOUT_MS', env.PROBE_TIMEOUT_MS, 2000, 100, 30000),
    apiToken: env.API_TOKEN as string,
    allowedOrigins,
    prometheus: prometheusUrl ? { url: httpUrl('PROMETHEUS_URL', prometheusUrl), user: adminUser, password: env.ADMIN_PASSWORD as string } : undefined,
  };
}

/** Config with secrets masked, for the start-up log line. */
export function describeConfig(cfg: Config): Record<string, unknown> {
  const mask = (url: string) => url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@'); // user may be empty: redis://:pw@host
  return {
    ...cfg,
    databaseUrl: mask(cfg.databaseUrl),
    redisUrl: mask(cfg.redisUrl),
    geminiApiKey: cfg.geminiApiKey ? 'set' : 'unset',
    apiToken: 'set',
    prometheus: cfg.prometheus ? { url: cfg.prometheus.url, user: cfg.prometheus.user, password: 'set' } : 'unset',
  };
}
