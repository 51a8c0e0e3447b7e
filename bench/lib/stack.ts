// The throwaway stack every bench suite measures: the test suite's TestStack (own project name,
// .env and free ports, driven through the real scripts/*.sh), plus what a benchmark needs on top:
// its own image tags, plain `docker compose` for the comparison runs, and wall-clock timing.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { type ComposeModel, parseComposeConfig } from '../../scripts/lib/compose.ts';
import { projectRoot } from '../../scripts/lib/paths.ts';
import { projectFiles } from '../../scripts/lib/state/files.ts';
import { versionVariable } from '../../scripts/lib/deploy/version.ts';
import { type ScriptResult, TestStack, explain } from '../../test/harness/stack.ts';

export interface Timed<T> {
  seconds: number;
  result: T;
}

export async function timed<T>(body: () => Promise<T>): Promise<Timed<T>> {
  const started = performance.now();
  const result = await body();
  return { seconds: (performance.now() - started) / 1000, result };
}

export class BenchStack {
  readonly inner = new TestStack();
  /** Image tag of this stack's own service images, so removing them never touches the user's. */
  readonly tag = `bench-${this.inner.project.replace(/^galaxy-test-/, '')}`;

  get project(): string {
    return this.inner.project;
  }

  get envFile(): string {
    return this.inner.envFile;
  }

  get ports(): Record<string, number> {
    return this.inner.ports;
  }

  async init(): Promise<this> {
    await this.inner.init();
    // Every service the compose files build is tagged by its <SERVICE>_VERSION variable (the
    // deploy's one naming rule): giving each this stack's tag keeps its builds (and their
    // removal) away from the user's. Which services build comes from compose's own model.
    const built = (await this.model()).services.filter((svc) => svc.build);
    appendFileSync(this.envFile, `\n# bench: this stack's own image tags\n${built.map((svc) => `${versionVariable(svc.name)}=${this.tag}`).join('\n')}\n`);
    return this;
  }

  /** `docker compose config --format json` of this stack: the only source of its services and images. */
  private async config(): Promise<string> {
    const out = await this.inner.compose(['config', '--format', 'json']);
    if (out.exitCode !== 0) throw new Error(`docker compose config failed: ${explain(out)}`);
    return out.stdout;
  }

  /** The compose model of this stack (services, labels, published ports). */
  async model(): Promise<ComposeModel> {
    return parseComposeConfig(await this.config());
  }

  /** The images this stack builds (services with a build section), e.g. galaxy/<service>:bench-ab12cd. */
  async builtImages(): Promise<string[]> {
    const services = (JSON.parse(await this.config()) as { services: Record<string, { build?: unknown; image?: string }> }).services;
    return Object.values(services)
      .filter((svc) => svc.build && svc.image?.endsWith(`:${this.tag}`))
      .map((svc) => svc.image as string);
  }

  /** Runs scripts/<name>.sh against this stack; throws with the output when it fails. */
  async script(name: string, args: string[] = [], timeout = '900s'): Promise<ScriptResult> {
    const result = await this.inner.script(name, args, {}, timeout);
    if (result.exitCode !== 0) throw new Error(`scripts/${name}.sh ${args.join(' ')} failed: ${explain(result)}`);
    return result;
  }

  /** What start-all.sh saved for this project: image variables and profiles (offline or registry). */
  savedState(): { env: Record<string, string>; profiles: string[] } {
    const file = projectFiles(this.project).stack;
    if (!existsSync(file)) throw new Error(`${file} is missing: start the bench stack with start-all.sh first`);
    return JSON.parse(readFileSync(file, 'utf8'));
  }

  /** Plain `docker compose` with the same files, profiles and images the scripts use. */
  plainArgs(): string[] {
    const { profiles } = this.savedState();
    return [
      'compose',
      '--project-directory',
      projectRoot,
      '--env-file',
      this.envFile,
      '-p',
      this.project,
      '-f',
      path.join(projectRoot, 'docker-compose.yml'),
      ...profiles.flatMap((p) => ['--profile', p]),
    ];
  }

  async plain(args: string[], timeout = '900s'): Promise<ScriptResult> {
    const out = await $({
      cwd: projectRoot,
      env: { ...process.env, ...this.savedState().env },
      nothrow: true,
      quiet: true,
    })`docker ${this.plainArgs()} ${args}`.timeout(timeout as '900s');
    const result = { exitCode: out.exitCode ?? -1, stdout: out.stdout, stderr: out.stderr };
    if (result.exitCode !== 0) throw new Error(`docker compose ${args.join(' ')} failed: ${explain(result)}`);
    return result;
  }

  /** Removes this stack's own images (never the offline base set); absent ones are fine. */
  async removeImages(): Promise<void> {
    const images = await this.builtImages();
    if (images.length) await $`docker image rm --force ${images}`.quiet().nothrow().timeout('120s');
  }

  async destroy(): Promise<void> {
    await this.inner.destroy();
    await this.removeImages();
    rmSync(projectFiles(this.project).stack, { force: true });
    rmSync(this.inner.dir, { recursive: true, force: true });
  }
}
