// `make bench` / scripts/bench.sh: the benchmark lives in bench/; this is its scripts/ entry point.
import { runBench } from '../bench/run.ts';
import { runMain } from './lib/errors.ts';

await runMain(() => runBench(process.argv.slice(2)));
