// Who may write (issue #12 point 4, docs/SECURITY.md): one check for every request whose method is
// not a read, made by the request handler before any route reads a body.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './http.js';

/** Reads stay public: health, metrics, version, the status page, the notes list. */
export const READ_METHODS: readonly string[] = ['GET', 'HEAD'];

// A generated token is URL-safe base64 (scripts/lib/env.ts); the other characters a bearer token may
// hold are allowed too. The frontend's nginx writes the token into a header, so nothing that could
// end or escape a quoted string there is accepted.
const TOKEN = /^[A-Za-z0-9._~+/=-]{16,256}$/;

export function tokenProblem(token: string | undefined): string | undefined {
  return TOKEN.test(token ?? '') ? undefined : 'API_TOKEN must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = - (make start generates one into .env)';
}

export interface WritePolicy {
  /** The stack's API token (API_TOKEN); the same one the Python services admit. */
  token: string;
  /** Browser origins whose pages may write (API_ALLOWED_ORIGINS): the site's own, through the edge. */
  allowedOrigins: readonly string[];
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
const normalOrigin = (origin: string) => origin.trim().replace(/\/+$/, '').toLowerCase();
const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Throws the refusal for a write that may not go on, in this order:
 * - 403 when a browser says it comes from another site: an Origin outside `allowedOrigins`, or,
 *   without an Origin, Sec-Fetch-Site cross-site or same-site. Pages cannot forge either header.
 * - 401 without `Authorization: Bearer <token>` or with another token; compared as SHA-256 digests
 *   with timingSafeEqual (equal lengths, constant time).
 * - 415 when a request that has or may have a body is not `Content-Type: application/json`.
 */
export function checkWrite(method: string, headers: IncomingHttpHeaders, policy: WritePolicy): void {
  if (READ_METHODS.includes(method)) return;
  const origin = header(headers, 'origin');
  if (origin !== undefined) {
    if (!policy.allowedOrigins.map(normalOrigin).includes(normalOrigin(origin))) {
      throw new HttpError(403, 'origin not allowed: writes come from the site itself or from a client that sends no Origin');
    }
  } else if (['cross-site', 'same-site'].includes((header(headers, 'sec-fetch-site') ?? '').trim().toLowerCase())) {
    throw new HttpError(403, 'cross-site request refused');
  }
  const [scheme, ...rest] = (header(headers, 'authorization') ?? '').trim().split(' ');
  const given = rest.join(' ').trim();
  if (scheme.toLowerCase() !== 'bearer' || !given) {
    throw new HttpError(401, 'API token required: send Authorization: Bearer <API_TOKEN from .env>', { 'www-authenticate': 'Bearer' });
  }
  if (!timingSafeEqual(digest(given), digest(policy.token))) {
    throw new HttpError(401, 'API token not accepted', { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
  const mayHaveBody =
    ['POST', 'PUT', 'PATCH'].includes(method) || headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0').trim() !== '0';
  const mediaType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mayHaveBody && mediaType !== 'application/json') throw new HttpError(415, 'writes accept only Content-Type: application/json');
}
