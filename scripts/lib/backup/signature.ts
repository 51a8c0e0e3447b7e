// Who made a set: manifest.sha256 only shows the manifest was not damaged, since anyone who edits
// it can write a new sum. manifest.hmac is keyed by BACKUP_HMAC_KEY from .env, so only an
// installation holding that key can make a set this one restores without --trust-foreign-set.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OperationError, UsageError } from '../errors.ts';

export const MANIFEST_HMAC = 'manifest.hmac';
const PREFIX = 'hmac-sha256:';

export function requireKey(key: string): void {
  // An empty key would sign with a value every other installation knows too.
  if (!key.trim())
    throw new UsageError(
      "BACKUP_HMAC_KEY is empty: run 'make backup' or 'make start' once (either adds a generated key to .env), or copy it from the .env that made your sets",
    );
}

/** The text of manifest.hmac for a manifest's exact bytes. */
export function signatureText(manifestText: string, key: string): string {
  requireKey(key);
  return `${PREFIX}${createHmac('sha256', key).update(manifestText).digest('hex')}\n`;
}

/** Why the set's signature does not prove this installation made it, or undefined when it does. */
export function signatureProblem(dir: string, manifestText: string, key: string): string | undefined {
  requireKey(key);
  const file = path.join(dir, MANIFEST_HMAC);
  if (!existsSync(file)) return `it has no ${MANIFEST_HMAC} (made by an older kit or by hand)`;
  const given = Buffer.from(readFileSync(file, 'utf8').trim());
  const expected = Buffer.from(signatureText(manifestText, key).trim());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return `its ${MANIFEST_HMAC} does not match BACKUP_HMAC_KEY`;
  return undefined;
}

/** Refuses a set this installation did not sign, unless the person said they trust it. */
export function checkSignature(dir: string, manifestText: string, key: string, trustForeign: boolean): 'signed' | 'trusted' {
  const problem = trustForeign && !key.trim() ? 'no key to check' : signatureProblem(dir, manifestText, key);
  if (!problem) return 'signed';
  if (trustForeign) return 'trusted';
  throw new OperationError(
    `set ${path.basename(dir)} was not made by this installation or was edited: ${problem}; if you know where it comes from, pass --trust-foreign-set (every checksum and path is still checked)`,
  );
}
