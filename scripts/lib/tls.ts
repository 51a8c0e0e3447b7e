// The certificate pair the site's entry point serves in prod mode (HTTPS for users on other
// machines, docs/SECURITY.md): the PEM files .env names in TLS_CERT_FILE and TLS_KEY_FILE, or,
// when both are empty, a self-signed pair made once with openssl and written into .env, so
// compose and every later command read the same two paths.
import { chmodSync, chownSync, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { $ } from 'zx/core';
import { setEnvValues } from './env.ts';
import { localIPv4Addresses } from './ports.ts';
import { OperationError, UsageError } from './errors.ts';
import { projectFiles } from './state/files.ts';

export interface TlsPair {
  cert: string;
  key: string;
  /** True when this call made a self-signed pair. */
  generated: boolean;
}

/**
 * Who must read the pair: the site's entry point runs as this user and group (compose `user:`, the
 * nginx user of both the official image and the Debian stand-in), not as root, so a key readable by
 * root only is a key it cannot load. test/unit/tls.test.ts checks that the compose file agrees.
 */
export const TLS_READER = { uid: 101, gid: 101 };

/** Whether the owner, group or other bits of `stat` let `reader` read the file. */
export function readableBy(stat: { uid: number; gid: number; mode: number }, reader: { uid: number; gid: number }): boolean {
  if (stat.uid === reader.uid) return (stat.mode & 0o400) !== 0;
  if (stat.gid === reader.gid) return (stat.mode & 0o040) !== 0;
  return (stat.mode & 0o004) !== 0;
}

/** Where a pair set in .env is wrong: both or neither, PEM files the entry point can read (one line each). */
export function tlsSettingsProblems(values: Record<string, string>): string[] {
  const cert = values.TLS_CERT_FILE ?? '';
  const key = values.TLS_KEY_FILE ?? '';
  if (!cert && !key) return [];
  if (!cert || !key) return ['.env sets only one of TLS_CERT_FILE and TLS_KEY_FILE: set both (PEM files), or neither for a generated self-signed pair'];
  const problems: string[] = [];
  for (const [name, file, marker, pem] of [
    ['TLS_CERT_FILE', cert, 'CERTIFICATE', /-----BEGIN CERTIFICATE-----/],
    ['TLS_KEY_FILE', key, 'PRIVATE KEY', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      problems.push(`.env ${name}=${file} cannot be read: give the path of a readable PEM file`);
      continue;
    }
    if (!pem.test(text)) problems.push(`.env ${name}=${file} is not a PEM ${marker.toLowerCase()} file: give the PEM file (-----BEGIN ${marker}-----)`);
    else if (!readableBy(statSync(file), TLS_READER))
      problems.push(
        `.env ${name}=${file} cannot be read by the site's nginx, which runs as uid ${TLS_READER.uid} and gid ${TLS_READER.gid}, not root: chgrp ${TLS_READER.gid} ${file} && chmod 640 ${file}`,
      );
  }
  return problems;
}

/**
 * The names a self-signed certificate covers: localhost, 127.0.0.1, this machine's name, and the
 * address the site is published on (every IPv4 address of the machine for 0.0.0.0).
 */
export function certificateNames(publicBind: string, host = hostname(), interfaces = networkInterfaces()): string[] {
  const addresses = new Set(['127.0.0.1']);
  if (publicBind === '0.0.0.0') for (const address of localIPv4Addresses(interfaces)) addresses.add(address);
  else if (publicBind) addresses.add(publicBind);
  const dns = new Set(['localhost', ...(/^[A-Za-z0-9.-]+$/.test(host) ? [host] : [])]);
  return [...[...dns].map((d) => `DNS:${d}`), ...[...addresses].map((a) => `IP:${a}`)];
}

/** The pair .env names, else a self-signed one (made now when missing) whose paths are written to .env. */
export async function ensureTlsPair(values: Record<string, string>, project: string, envFile: string): Promise<TlsPair> {
  const problems = tlsSettingsProblems(values);
  if (problems.length) throw new UsageError(problems.join('\n'));
  if (values.TLS_CERT_FILE) return { cert: values.TLS_CERT_FILE, key: values.TLS_KEY_FILE, generated: false };
  const { tlsCert: cert, tlsKey: key } = projectFiles(project);
  let generated = false;
  if (!existsSync(cert) || !existsSync(key)) {
    await selfSigned(cert, key, project, certificateNames(values.PUBLIC_BIND || '127.0.0.1'));
    generated = true;
  }
  // Every start, so a pair made before the entry point stopped running as root is fixed too.
  shareWithReader(cert, key);
  setEnvValues(envFile, { TLS_CERT_FILE: cert, TLS_KEY_FILE: key });
  values.TLS_CERT_FILE = cert;
  values.TLS_KEY_FILE = key;
  return { cert, key, generated };
}

/** The certificate readable by all, the key by its owner and the entry point's group only. */
function shareWithReader(cert: string, key: string): void {
  try {
    chmodSync(cert, 0o644);
    chownSync(key, statSync(key).uid, TLS_READER.gid);
    chmodSync(key, 0o640);
  } catch (err) {
    throw new OperationError(
      `cannot let the site's nginx (gid ${TLS_READER.gid}) read ${key} (${(err as NodeJS.ErrnoException).code ?? String(err)}): run make start as root, or set TLS_CERT_FILE and TLS_KEY_FILE to a pair it can read`,
    );
  }
}

/** openssl writes both files under temp names; they are renamed only when both are complete. */
async function selfSigned(cert: string, key: string, project: string, names: string[]): Promise<void> {
  if ((await $({ nothrow: true, quiet: true })`command -v openssl`).exitCode !== 0)
    throw new OperationError(
      'openssl is needed to make a self-signed certificate: install it (Debian: apt-get install openssl), or set TLS_CERT_FILE and TLS_KEY_FILE in .env',
    );
  const [certTemp, keyTemp] = [`${cert}.tmp-${process.pid}`, `${key}.tmp-${process.pid}`];
  // P-256: every current browser and curl accept it, and it is made in milliseconds. 825 days is the
  // longest validity Apple's platforms accept for a server certificate.
  const made = await $({
    nothrow: true,
    quiet: true,
  })`umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 -subj ${`/CN=${project} (self-signed by galaxy-orchestration)`} -addext ${`subjectAltName=${names.join(',')}`} -keyout ${keyTemp} -out ${certTemp}`;
  if (made.exitCode !== 0) {
    rmSync(certTemp, { force: true });
    rmSync(keyTemp, { force: true });
    throw new OperationError(`openssl could not make the self-signed certificate: ${made.stderr.trim().split('\n').at(-1) ?? ''}`);
  }
  renameSync(keyTemp, key);
  renameSync(certTemp, cert);
}
