// The bench command (options, --help, exit codes). scripts/bench.ts starts this file as its own
// process: scripts/ never imports bench/ (test/unit/layers.test.ts), bench/ imports scripts/lib.
import { defineCommand } from '../scripts/lib/command/define.ts';
import { SUITES, benchOptions, runBench } from './run.ts';

const benchCommand = {
  name: 'bench.sh',
  summary: 'Measure start, health, recovery, deploy, backup and discovery on throwaway stacks; figures go to bench/results/.',
  options: {
    only: { type: 'string', value: 'SUITE,SUITE', help: `only these suites: ${SUITES.map((s) => s.name).join(', ')}` },
    runs: { type: 'string', value: 'N', default: '5', help: 'runs per figure (the median of at least 5 is reported)' },
  },
  examples: ['make bench', 'make bench ARGS="--only deploy"', './scripts/bench.sh --only start,health --runs 7'],
} as const;

await defineCommand(benchCommand, { validate: (parsed) => benchOptions(parsed.values), run: runBench });
