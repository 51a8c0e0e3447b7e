// zx's `bash -c` must not run the user's ~/.bashrc (shell-level.ts says why): a HOME whose .bashrc
// leaves a mark shows whether bash ran it for a command started the way zx starts one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { skipShellStartupFiles } from '../../scripts/lib/shell-level.ts';

test('the shell level becomes 1 when unset or 0, and is kept otherwise', () => {
  const levels = [undefined, '0', '', 'x', '1', '4'].map((SHLVL) => {
    const env: NodeJS.ProcessEnv = SHLVL === undefined ? {} : { SHLVL };
    skipShellStartupFiles(env);
    return env.SHLVL;
  });
  assert.deepEqual(levels, ['1', '1', '1', '1', '1', '4']);
});

test('a bash -c with a socket on stdin, started by a process at shell level 0, skips ~/.bashrc', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'gx-home-'));
  try {
    const mark = path.join(home, 'bashrc-ran');
    writeFileSync(path.join(home, '.bashrc'), `touch '${mark}'\n`);
    const env: NodeJS.ProcessEnv = { HOME: home, PATH: process.env.PATH, SHLVL: '0' };
    skipShellStartupFiles(env);
    // stdio 'pipe': libuv's socket pairs, as under zx.
    const out = spawnSync('bash', ['-c', 'true'], { env, stdio: 'pipe' });
    assert.equal(out.status, 0);
    assert.equal(existsSync(mark), false, 'bash ran ~/.bashrc before the command');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
