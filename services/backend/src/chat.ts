// Chat answers: Google's Gemini generateContent REST API when a key is set, otherwise (or when
// the call fails) a deterministic local answer that says plainly it is a fallback.

export interface ChatTurn {
  role: 'user' | 'model';
  text: string;
}

export interface ChatAnswer {
  answer: string;
  source: 'gemini' | 'local-fallback';
  model?: string;
  fallbackReason?: string;
}

export class ChatInputError extends Error {}

export const MAX_MESSAGE = 4000;

export function parseChatRequest(body: unknown): { message: string; sessionId?: string } {
  if (typeof body !== 'object' || body === null) throw new ChatInputError('body must be a JSON object');
  const { message, sessionId } = body as { message?: unknown; sessionId?: unknown };
  if (typeof message !== 'string' || message.trim() === '') throw new ChatInputError('message must be a non-empty string');
  if (message.length > MAX_MESSAGE) throw new ChatInputError(`message is longer than ${MAX_MESSAGE} characters`);
  if (sessionId !== undefined && (typeof sessionId !== 'string' || !/^[\w-]{1,64}$/.test(sessionId))) {
    throw new ChatInputError('sessionId must be 1-64 letters, digits, _ or -');
  }
  return { message: message.trim(), sessionId: sessionId as string | undefined };
}

/** Deterministic, so tests and offline demos get the same text for the same input. */
export function fallbackAnswer(message: string, reason: string): ChatAnswer {
  const words = message.split(/\s+/).filter(Boolean);
  const question = message.trimEnd().endsWith('?');
  const preview = words.slice(0, 12).join(' ') + (words.length > 12 ? ' ...' : '');
  const answer =
    `[local fallback - no language model was used] You ${question ? 'asked' : 'said'}: "${preview}" ` +
    `(${words.length} word${words.length === 1 ? '' : 's'}). The exchange was recorded; ` +
    'set GEMINI_API_KEY to get generated answers.';
  return { answer, source: 'local-fallback', fallbackReason: reason };
}

type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface GeminiOptions {
  apiKey: string;
  model: string;
  apiBase: string;
  timeoutMs?: number;
  fetchImpl?: FetchLike;
}

export function geminiRequestBody(history: ChatTurn[], message: string): unknown {
  return {
    contents: [...history, { role: 'user', text: message }].map((t) => ({ role: t.role, parts: [{ text: t.text }] })),
  };
}

export function extractGeminiText(body: unknown): string {
  const candidates = (body as { candidates?: Array<{ content?: { parts?: Array<{ text?: unknown }> } }> })?.candidates;
  const parts = candidates?.[0]?.content?.parts ?? [];
  const text = parts
    .map((p) => (typeof p.text === 'string' ? p.text : ''))
    .join('')
    .trim();
  if (!text) throw new Error('Gemini answer had no text');
  return text;
}

export async function askGemini(opts: GeminiOptions, history: ChatTurn[], message: string): Promise<ChatAnswer> {
  const url = `${opts.apiBase}/v1beta/models/${encodeURIComponent(opts.model)}:generateContent`;
  const res = await (opts.fetchImpl ?? fetch)(url, {
    method: 'POST',
    // header rather than ?key= so the key never lands in URL logs
    headers: { 'content-type': 'application/json', 'x-goog-api-key': opts.apiKey },
    body: JSON.stringify(geminiRequestBody(history, message)),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15000),
  });
  if (!res.ok) throw new Error(`Gemini answered HTTP ${res.status}`);
  return { answer: extractGeminiText(await res.json()), source: 'gemini', model: opts.model };
}

export async function answer(opts: Omit<GeminiOptions, 'apiKey'> & { apiKey?: string }, history: ChatTurn[], message: string): Promise<ChatAnswer> {
  if (!opts.apiKey) return fallbackAnswer(message, 'GEMINI_API_KEY is not set');
  try {
    return await askGemini({ ...opts, apiKey: opts.apiKey }, history, message);
  } catch (err) {
    return fallbackAnswer(message, `Gemini call failed: ${(err as Error).message}`);
  }
}
