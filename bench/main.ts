// The bench command (options, --help, exit codes). scripts/bench.ts starts this file as its own
// process: scripts/ never imports bench/ (test/unit/layers.test.ts), bench/ imports scripts/lib.
import { defineCommand } from '../scripts/lib/command/define.ts';
import { benchCommand, benchOptions, runBench } from './run.ts';

await defineCommand(benchCommand, { validate: (parsed) => benchOptions(parsed.values), run: runBench });
