// `lca analyze`: flags → runAnalysis → stdout in the chosen format.
import { Command, Option } from 'commander';
import type { Method } from '../lca/integrate.js';
import { FORMATS, render, type Format } from '../report/format.js';
import { MERGES, type Merge } from '../analyze/groups.js';
import { REPORTS, type ReportName } from '../jobs/analyze.js';
import { logLevelOption, methodOption, writeOut } from './common.js';
import { parseInteger, parseIterationRange, parsePositiveInteger } from './parse.js';

interface AnalyzeFlags {
  run: string;
  report: ReportName;
  format?: Format;
  table?: string;
  method?: Method;
  iterations?: [number, number | undefined];
  layers?: string;
  merge?: Merge;
  top?: number;
  draws?: number;
  seed?: number;
  sample?: number;
}

const REPORT_HELP = 'helped: % of parameters helping; layers: LCA per layer; error: grounding errors; ' +
  'sync: synchronized moments of learning; concentration: Gini of help and hurt; tails: heavy tails and Weibull fits';

export const analyzeCommand = () =>
  new Command('analyze')
    .description('print a report on the LCA of a run (stdout: data only)')
    .requiredOption('-r, --run <dir>', 'run directory with computed LCA')
    .addOption(new Option('--report <name>', REPORT_HELP).choices(REPORTS).makeOptionMandatory())
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, tsv otherwise)').choices(FORMATS))
    .option('--table <name>', 'which table TSV/CSV print (default: the first; JSON has all)')
    .addOption(methodOption())
    .option('--iterations <a:b>', 'rows a … b−1 only', parseIterationRange)
    .option('--layers <glob>', 'only variables or layers matching the glob (* any text, ? one character, a,b either), e.g. fc_1*')
    .addOption(new Option('--merge <rule>', 'which variables form a layer: none, bias (kernel + bias), bias+bn (and batch norm into the conv before it)').choices(MERGES).default('bias'))
    .option('--top <n>', 'sync: moments of learning kept per layer', parsePositiveInteger, 20)
    .option('--draws <n>', 'sync: random-shift baseline draws', parseInteger, 1000)
    .option('--seed <n>', 'sync, tails: seed of the baseline shifts and the reservoir sample', parseInteger, 0)
    .option('--sample <n>', 'tails: reservoir sample size for the Weibull fits', parsePositiveInteger, 100000)
    .addOption(logLevelOption())
    .action(async (flags: AnalyzeFlags) => {
      const { runAnalysis } = await import('../jobs/analyze.js');
      const range = flags.iterations;
      const report = await runAnalysis({
        run: flags.run, report: flags.report, method: flags.method,
        iterations: range ? [range[0], range[1] ?? Number.MAX_SAFE_INTEGER] : undefined,
        layers: flags.layers, merge: flags.merge, top: flags.top, draws: flags.draws, seed: flags.seed, sample: flags.sample,
      });
      const format = flags.format ?? (process.stdout.isTTY ? 'table' : 'tsv');
      writeOut(render(report, format, flags.table));
    });
