// The bench command (options, --help, exit codes). scripts/bench.sh starts this file directly
// (scripts/lib/run.sh): scripts/ never imports bench/ (test/unit/layers.test.ts), bench/ imports scripts/lib.
import { defineCommand } from '../scripts/lib/command/define.ts';
import { benchCommand, benchOptions, runBench } from './run.ts';

await defineCommand(benchCommand, { validate: (parsed) => benchOptions(parsed.values), run: runBench });
