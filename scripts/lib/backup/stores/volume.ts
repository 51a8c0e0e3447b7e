// `galaxy.backup: volume`: a tar of every named volume of the service, taken with the service
// stopped so no file changes under the archive (consistent, at the price of a short stop), and
// started again afterwards. Archive and restore run in one-off containers of the service's own
// image as root, with the same volumes at the same paths: the image needs sh, tar, find and cp.
import { compose } from '../../docker/client.ts';
import { composeStream } from '../../docker/stream.ts';
import { OperationError } from '../../errors.ts';
import { inspectArchive } from './archive.ts';
import { STEP_TIMEOUT_SECONDS, type StoreKind, type StoreTarget, checkRestored } from './kind.ts';

/** Where restore unpacks first: an anonymous volume of the one-off container (see oneOff). */
const STAGE = '/.galaxy-restore';

/**
 * stdin is the archive; the arguments are the mount paths. Everything is unpacked in the stage
 * first, so a broken archive stops the restore before a volume is emptied.
 */
const RESTORE_SCRIPT = `
set -eu
stage=${STAGE}
find "$stage" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
tar -xf - -C "$stage"
for t in "$@"; do
  [ -d "$stage$t" ] || { echo "the archive holds nothing for $t" >&2; exit 1; }
done
for t in "$@"; do
  find "$t" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  cp -a "$stage$t/." "$t/"
done
echo "volumes replaced: $*"
`;

const COUNT_SCRIPT = 'find "$@" -type f | wc -l';

const mounts = (target: StoreTarget) => target.service.volumes.map((v) => v.target);

/**
 * A one-off container of the service as root, nothing started beside it. The service itself may
 * run with no capabilities and a read-only root (docs/SECURITY.md); this container gets back the
 * three a root copy of files of any owner needs (read and write them, set their owner and modes),
 * and restore unpacks into an anonymous volume (STAGE), removed with the container.
 */
const oneOff = (target: StoreTarget, entrypoint: string, args: string[], stage = false) => [
  'run',
  '--rm',
  '--no-deps',
  '-T',
  '--user',
  '0:0',
  ...['DAC_OVERRIDE', 'CHOWN', 'FOWNER'].flatMap((cap) => ['--cap-add', cap]),
  ...(stage ? ['--volume', STAGE] : []),
  '--entrypoint',
  entrypoint,
  target.service.name,
  ...args,
];

/**
 * Regular files in a fresh archive. Restore refuses links and special files (archive.ts), so a
 * volume holding one fails its backup now instead of leaving a set that cannot be restored.
 */
function filesIn(service: string, archive: string): number {
  const facts = inspectArchive(archive);
  if ('problem' in facts)
    throw new OperationError(
      `${service}: its volumes hold what restore refuses (${facts.problem}): replace links with copies, or label the service galaxy.backup: none`,
    );
  return facts.files;
}

async function count(target: StoreTarget): Promise<Record<string, number>> {
  const out = await compose(target.ctx, oneOff(target, 'sh', ['-c', COUNT_SCRIPT, 'sh', ...mounts(target)]), { timeout: '600s' });
  return { files: Number(out.stdout.trim().split('\n').slice(-1)[0]) };
}

export const volume: StoreKind = {
  name: 'volume',
  extension: '.tar',

  checkOption(service, option) {
    if (option) return 'volume takes no argument (every named volume of the service is saved)';
    return service.volumes.length ? undefined : 'the service mounts no named volume';
  },

  async dump(target, file) {
    const name = target.service.name;
    const running = (await target.lifecycle.running()).has(name);
    let result;
    try {
      await target.lifecycle.stop([name]);
      // Paths relative to / so restore puts each volume back at its own mount path.
      const paths = mounts(target).map((m) => m.replace(/^\/+/, ''));
      result = await composeStream(target.ctx, oneOff(target, 'tar', ['-cf', '-', '-C', '/', ...paths]), {
        stdoutFile: file,
        timeoutSeconds: STEP_TIMEOUT_SECONDS,
        what: `archiving ${name}'s volumes`,
      });
    } finally {
      // Back as it was even when the archive failed: a backup must not leave a service down.
      if (running) await target.lifecycle.start([name], true);
    }
    const facts = { volumes: target.service.volumes.map((v) => `${v.name}:${v.target}`).join(', '), tool: 'tar' };
    return { bytes: result.bytes, sha256: result.sha256, counts: { files: filesIn(name, file) }, countsExact: true, facts };
  },

  checkSetFile(file) {
    const facts = inspectArchive(file);
    return 'problem' in facts ? facts.problem : undefined;
  },

  async restore(target, file) {
    const name = target.service.name;
    await target.lifecycle.stop([name]);
    await composeStream(target.ctx, oneOff(target, 'sh', ['-c', RESTORE_SCRIPT, 'sh', ...mounts(target)], true), {
      stdinFile: file,
      timeoutSeconds: STEP_TIMEOUT_SECONDS,
      what: `restoring ${name}'s volumes`,
    });
  },

  count,

  async verify(target, entry) {
    return checkRestored(entry, await count(target));
  },
};
