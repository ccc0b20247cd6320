// `lca prune`: flags → runPrune → the check table on stdout (the mask goes to --out).
import { Command, InvalidArgumentError, Option } from 'commander';
import type { BackendChoice } from '../backend/names.js';
import { RANKINGS, type Ranking } from '../analyze/prune.js';
import type { Method } from '../lca/integrate.js';
import { FORMATS, render, type Format } from '../report/format.js';
import { backendOption, examples, logLevelOption, methodOption, PROJECT_ROOT, reporterFrom, sessionsOption, threadsOption, writeOut } from './common.js';
import type { LogLevel } from './console.js';
import { parseInteger, parseIterationRange, parseNumber, parsePositiveInteger } from './parse.js';

interface PruneFlags {
  run: string;
  keep: number[];
  by: Ranking;
  method?: Method;
  iterations?: [number, number | undefined];
  out: string;
  force?: boolean;
  seed: number;
  randomMasks: number;
  backend: BackendChoice;
  threads?: number;
  sessions?: number;
  dataDir?: string;
  format?: Format;
  logLevel: LogLevel;
}

/** `0.1,0.3,0.5` → [0.1, 0.3, 0.5], each a fraction in (0, 1]. */
export function parseKeep(value: string): number[] {
  return value.split(',').map((part) => {
    const f = parseNumber(part);
    if (!(f > 0 && f <= 1)) throw new InvalidArgumentError(`${part} is not a fraction in (0, 1].`);
    return f;
  });
}

export const pruneCommand = () =>
  new Command('prune')
    .description('write a mask keeping the parameters that helped most, and check it against magnitude and random masks (stdout: the check)')
    .addHelpText('after', examples('lca prune --run runs/fc --keep 0.1,0.3,0.5 --out mask.arrow'))
    .requiredOption('-r, --run <dir>', 'run directory (with computed LCA for the help rankings)')
    .requiredOption('--keep <f>', 'fraction of parameters to keep, or several: 0.1,0.3,0.5 (one mask row each)', parseKeep)
    .addOption(new Option('--by <ranking>', 'total-help: Σ LCA over --iterations; recent-help: over its last 10 %; magnitude: |θ_T|').choices(RANKINGS).default('total-help'))
    .requiredOption('-o, --out <file>', 'mask file to write (Arrow, docs/formats.md)')
    .addOption(methodOption())
    .option('--iterations <a:b>', 'LCA rows a … b−1 to sum the help over (default: all computed)', parseIterationRange)
    .option('--seed <n>', 'random mask j uses seed + j', parseInteger, 0)
    .option('--random-masks <n>', 'random masks in the check', parsePositiveInteger, 10)
    .addOption(backendOption().default('auto'))
    .addOption(threadsOption())
    .addOption(sessionsOption())
    .option('--data-dir <dir>', 'folder with the dataset files, if not where training found them')
    .option('--force', 'overwrite --out')
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, tsv otherwise)').choices(FORMATS))
    .addOption(logLevelOption())
    .action(async (flags: PruneFlags) => {
      const { runPrune } = await import('../jobs/prune.js');
      const range = flags.iterations;
      const report = await runPrune({
        run: flags.run, keep: flags.keep, by: flags.by, method: flags.method, out: flags.out, force: !!flags.force,
        iterations: range ? [range[0], range[1] ?? Number.MAX_SAFE_INTEGER] : undefined,
        seed: flags.seed, randomMasks: flags.randomMasks, backend: flags.backend, threads: flags.threads, sessions: flags.sessions, dataDir: flags.dataDir, projectRoot: PROJECT_ROOT, reporter: reporterFrom(flags),
      });
      writeOut(render(report, flags.format ?? (process.stdout.isTTY ? 'table' : 'tsv')));
    });
