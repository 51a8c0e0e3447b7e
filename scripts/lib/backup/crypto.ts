// Optional encryption with age (Debian package `age`): files are encrypted to a public key, so the
// machine that writes backups cannot read them back; restore needs the matching identity file.
import { existsSync, rmSync } from 'node:fs';
import { $ } from 'zx/core';
import { OperationError, UsageError, lastLine } from '../errors.ts';

async function requireAge(): Promise<void> {
  const found = await $`command -v age`.quiet().nothrow().timeout('5s');
  if (found.exitCode !== 0) throw new UsageError('age is not installed but encryption is configured: apt-get install age');
}

export async function ageVersion(): Promise<string> {
  const out = await $`age --version`.quiet().nothrow().timeout('5s');
  return out.exitCode === 0 ? `age ${out.stdout.trim()}` : 'age (unknown version)';
}

/** Encrypts `file` to `file.age` and removes the plain file; returns the new path. */
export async function encryptFile(file: string, recipient: string): Promise<string> {
  await requireAge();
  const target = `${file}.age`;
  const out = await $`age --encrypt --recipient ${recipient} --output ${target} ${file}`.quiet().nothrow().timeout('14400s');
  if (out.exitCode !== 0) throw new OperationError(`age could not encrypt ${file}: ${out.stderr.trim()}`);
  rmSync(file);
  return target;
}

export async function decryptFile(file: string, target: string, identity: string): Promise<void> {
  await requireAge();
  if (!identity) throw new UsageError('this set is encrypted: set BACKUP_ENCRYPT_IDENTITY in .env to the age identity file (the private key)');
  if (!existsSync(identity)) throw new UsageError(`BACKUP_ENCRYPT_IDENTITY points to ${identity}, which does not exist`);
  const out = await $`age --decrypt --identity ${identity} --output ${target} ${file}`.quiet().nothrow().timeout('14400s');
  if (out.exitCode !== 0) throw new OperationError(`age could not decrypt ${file}: ${lastLine(out.stderr)}`);
}
