// `make bench` / scripts/bench.sh: the benchmark lives in bench/; this is its scripts/ entry point.
import { SUITES, benchOptions, runBench } from '../bench/run.ts';
import { defineCommand } from './lib/command/define.ts';

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
