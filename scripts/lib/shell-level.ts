// zx runs every command as `bash -c`, with stdin on a socket pair (how libuv makes its pipes).
// Debian's bash takes a socket on stdin for a remote shell daemon and, while the shell level is
// below 2, runs the user's ~/.bashrc before the command. A process started with SHLVL unset or 0
// (cron, a CI runner, a node parent such as the test runner or the bench) then paid the rc file on
// every command: with a `pyenv init` in it, about a second each, which made `make start` on a
// running stack 13-19 s instead of 6. Level 1 here is level 2 in the child bash, which skips it.

/** Marks this process as started from a shell, so the `bash -c` of its commands skip ~/.bashrc. */
export function skipShellStartupFiles(env: NodeJS.ProcessEnv = process.env): void {
  if (!(Number(env.SHLVL) >= 1)) env.SHLVL = '1';
}
