// One problem: rule, severity, where, and the one-line fix that goes with the rule.
import type { Problem, Severity } from './types.ts';

export const FIXES: Record<string, string> = {
  'port-conflict': 'give each process on this host its own port, read from an env var with a documented default',
  'loopback-bind': 'bind 0.0.0.0 (or read the address from a HOST variable) and limit exposure with a published 127.0.0.1 port',
  'credential-in-code': 'rotate the secret, then read it from the environment or a secret store',
  'committed-env': 'rotate the secrets it holds, delete it from the repository and commit an .env.example with names only',
  'empty-password': 'set a generated password through a secret and remove *_ALLOW_EMPTY_PASSWORD',
  'password-file': 'rotate the password, delete the file from the repository and mount it as a secret at run time',
  'debug-mode': 'turn debug and development modes off outside development, driven by an env var',
  'hardcoded-interpreter': 'call the interpreter by name from PATH (#!/usr/bin/env python3)',
  'hardcoded-path': 'make the path relative to the project or configurable',
  'duplicate-service': 'keep one copy and configure it with env vars',
  'no-health-endpoint': 'add GET /health so orchestration can tell a live service from a hung one',
  'no-single-entry-point': 'replace the start scripts with one entry point (a compose file and Makefile targets)',
  'unsupported-language': 'check its ports, dependencies and start command by hand',
};

export const problem = (rule: string, severity: Severity, file: string, line: number | null, service: string | null, message: string): Problem => ({
  rule,
  severity,
  file,
  line,
  service,
  message,
  fix: FIXES[rule] ?? 'see the message',
});
