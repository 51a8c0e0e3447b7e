// Cold start on a fresh machine, engine install included: `make start` from a clean clone on a
// machine that has never run the kit. Measured inside a privileged container that stands in for
// one, as make cluster's nodes stand in for machines: Debian bookworm minbase from the same mirror
// (what the machines run), Node 20 and npm and the static Docker client as they come preinstalled
// (copied from this host), the host's CA bundle trusted as the host trusts it, and nothing else: no
// engine, no image, no apt lists, no npm cache. The engine make start installs in there keeps its
// storage on a volume (overlay on overlay fails). What it shares with this host: the kernel, and
// the page cache of files this host has read.
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import { docker } from '../../scripts/lib/docker/client.ts';
import { buildImage, imagesByName } from '../../scripts/lib/docker/images.ts';
import { HASH_LABEL, baseRecipeHash, buildBaseImage, readBaseRecipe } from '../../scripts/lib/images/base.ts';
import { projectRoot } from '../../scripts/lib/paths.ts';
import { figure } from '../lib/figure.ts';
import { timed } from '../lib/stack.ts';
import { type Suite, repeat } from '../lib/suite.ts';

const SUITE = 'bookworm';
const BASE_TAG = `galaxy-bench/fresh-base:${SUITE}`;
const MACHINE_TAG = `galaxy-bench/fresh-machine:${SUITE}`;
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

/** The machine's Dockerfile: what a fresh machine has that minbase lacks, from this host. */
const MACHINE_DOCKERFILE = `ARG BASE
FROM \${BASE}
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git make \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
COPY node /usr/bin/node
COPY npm/ /usr/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/bin/npx
COPY docker /usr/local/bin/docker
# The host's binaries must run on the bare base (a dynamically linked docker client would not):
# the build stops here, with the loader's message, instead of a run failing later.
RUN node --version && docker --version
COPY npmrc /etc/npmrc
ENV NODE_EXTRA_CA_CERTS=${HOST_CA}
VOLUME /var/lib/docker
CMD ["sleep", "infinity"]
`;

/** The base (debootstrap, about 20 s) and the machine image, each built once per recipe. */
async function ensureMachineImage(log: (line: string) => void): Promise<void> {
  const recipe = readBaseRecipe(SUITE);
  const hash = baseRecipeHash(recipe);
  const [base] = await imagesByName([BASE_TAG]);
  if (base?.Config?.Labels?.[HASH_LABEL] !== hash) {
    log(`bench: building ${BASE_TAG} (debootstrap ${SUITE})`);
    await buildBaseImage(BASE_TAG, recipe, hash);
  }
  const context = mkdtempSync(path.join(tmpdir(), 'galaxy-fresh-image-'));
  try {
    const node = (await $`command -v node`.quiet()).stdout.trim();
    const npm = path.dirname(path.dirname((await $`readlink -f ${(await $`command -v npm`.quiet()).stdout.trim()}`.quiet()).stdout.trim()));
    const client = (await $`command -v docker`.quiet()).stdout.trim();
    copyFileSync(node, path.join(context, 'node'));
    cpSync(npm, path.join(context, 'npm'), { recursive: true });
    copyFileSync(client, path.join(context, 'docker'));
    writeFileSync(path.join(context, 'npmrc'), `cafile=${HOST_CA}\n`);
    writeFileSync(path.join(context, 'Dockerfile'), MACHINE_DOCKERFILE);
    const built = await buildImage(context, MACHINE_TAG, { buildArgs: { BASE: BASE_TAG }, labels: {}, timeout: '15m' });
    if (built.exitCode !== 0) throw new Error(`building ${MACHINE_TAG} failed: ${built.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** One cold start: a new machine and a clean clone of this commit, `make start` timed until it returns. */
async function coldStartOnFreshMachine(run: number, log: (line: string) => void): Promise<number> {
  const name = `galaxy-bench-fresh-${process.pid}-${run}`;
  const clone = mkdtempSync(path.join(tmpdir(), 'galaxy-fresh-clone-'));
  try {
    await $`git clone --quiet ${projectRoot} ${clone}/kit`.quiet();
    const started = await docker([
      'run',
      '--detach',
      '--privileged',
      '--name',
      name,
      '--volume',
      `${name}:/var/lib/docker`,
      '--volume',
      `${clone}/kit:/srv/kit`,
      MACHINE_TAG,
    ]).nothrow();
    if (started.exitCode !== 0) throw new Error(`starting the fresh machine failed: ${started.stderr.trim()}`);
    const { seconds, result } = await timed(() => docker(['exec', '--workdir', '/srv/kit', name, 'make', 'start'], '30m').nothrow());
    const lastLines = result.stdout.trim().split('\n').slice(-2).join(' | ');
    if (result.exitCode !== 0)
      throw new Error(`make start on the fresh machine failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    log(`bench: fresh machine run ${run + 1}: make start ${seconds.toFixed(1)}s (${lastLines})`);
    return seconds;
  } finally {
    // The machine's engine, containers and images go with it; the clone holds files its root wrote.
    await docker(['rm', '--force', '--volumes', name], '5m').nothrow();
    await docker(['volume', 'rm', '--force', name]).nothrow();
    rmSync(clone, { recursive: true, force: true });
  }
}

export const freshSuite: Suite = {
  name: 'fresh',
  what: 'cold start on a fresh machine (engine install included), in a privileged container standing in for one',
  async run(ctx) {
    await ensureMachineImage(ctx.log);
    const runs = await repeat(ctx.runs, (run) => coldStartOnFreshMachine(run, ctx.log));
    return {
      message:
        `fresh machine = a privileged container from ${MACHINE_TAG}: Debian ${SUITE} minbase, git and make, Node and npm and the Docker client copied from this host, ` +
        `the host's CA bundle trusted; no engine, images, apt lists or npm cache. A clean clone of this commit runs \`make start\` there (engine install, ` +
        `npm ci, offline image set, service builds, start) until every service is healthy. Shared with this host: the kernel and its page cache.`,
      figures: [figure('fresh.start', 'docker run --privileged <fresh machine>; docker exec <it> make start (clean clone)', runs)],
    };
  },
};
