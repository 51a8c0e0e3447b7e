// Redis: the notes list cache and short chat histories per session. Both are best effort:
// a Redis failure costs a cache miss, never a failed request (health still reports it).
import { createClient } from '@redis/client';
import type { Logger } from './log.js';
import type { ChatTurn } from './chat.js';

export const NOTES_KEY = 'galaxy:notes:list';
const NOTES_TTL_S = 30;
const HISTORY_TURNS = 10;
const HISTORY_TTL_S = 3600;

export function createRedis(url: string, log: Logger) {
  const client = createClient({
    url,
    // Fail commands at once while disconnected instead of queueing them behind a dead socket.
    disableOfflineQueue: true,
    socket: { connectTimeout: 3000, reconnectStrategy: (retries) => Math.min(200 * 2 ** retries, 5000) },
  });
  let lastError = '';
  client.on('error', (err: Error) => {
    // The client retries forever and emits on every attempt; log each distinct error once.
    if (err.message !== lastError) log.warn('redis error', { error: err.message });
    lastError = err.message;
  });
  client.on('ready', () => {
    lastError = '';
    log.info('redis ready');
  });
  return client;
}

export type Redis = ReturnType<typeof createRedis>;

async function bestEffort<T>(log: Logger, what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    log.warn('redis operation failed', { op: what, error: (err as Error).message });
    return undefined;
  }
}

export class Cache {
  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {}

  async getNotes<T>(): Promise<T | undefined> {
    const raw = await bestEffort(this.log, 'get notes', () => this.redis.get(NOTES_KEY));
    return typeof raw === 'string' ? (JSON.parse(raw) as T) : undefined;
  }

  async setNotes(value: unknown): Promise<void> {
    await bestEffort(this.log, 'set notes', () => this.redis.set(NOTES_KEY, JSON.stringify(value), { EX: NOTES_TTL_S }));
  }

  async invalidateNotes(): Promise<void> {
    await bestEffort(this.log, 'del notes', () => this.redis.del(NOTES_KEY));
  }

  async history(sessionId: string): Promise<ChatTurn[]> {
    const raw = await bestEffort(this.log, 'get history', () => this.redis.lRange(`galaxy:chat:${sessionId}`, 0, -1));
    return (raw ?? []).map((s) => JSON.parse(String(s)) as ChatTurn);
  }

  async remember(sessionId: string, turns: ChatTurn[]): Promise<void> {
    const key = `galaxy:chat:${sessionId}`;
    await bestEffort(this.log, 'push history', async () => {
      await this.redis.rPush(
        key,
        turns.map((t) => JSON.stringify(t)),
      );
      await this.redis.lTrim(key, -HISTORY_TURNS * 2, -1);
      await this.redis.expire(key, HISTORY_TTL_S);
    });
  }
}
