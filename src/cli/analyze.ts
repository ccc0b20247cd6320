// `lca analyze`: flags → runAnalysis (one run) or runAcrossRuns (several --run, or --vs) → stdout.
import { Command, Option } from 'commander';
import { FORMATS, render, type Format } from '../report/format.js';
import { MERGES } from '../analyze/groups.js';
import { REPORTS } from '../analyze/report-names.js';
import type { AnalyzeOptions } from '../jobs/analyze.js';
import type { LogLevel } from './console.js';
import { examples, logLevelOption, methodOption, reporterFrom, writeOut } from './common.js';
import { collect, parseInteger, parseIterationRange, parseNonNegative, parsePositiveInteger } from './parse.js';

/** The job's options as commander hands them over: repeatable runs, an open-ended range, the output. */
type AnalyzeFlags = Omit<AnalyzeOptions, 'run' | 'iterations' | 'reporter'> & {
  run: string[];
  logLevel: LogLevel;
  vs?: string[];
  iterations?: [number, number | undefined];
  format?: Format;
  table?: string;
};

const REPORT_HELP = 'helped: % of parameters helping; layers: LCA per layer; error: grounding errors; ' +
  'sync: synchronized moments of learning; concentration: Gini of help and hurt; tails: heavy tails and Weibull fits; ' +
  'oscillations: sign changes of weight movements and LCA; neurons: LCA per output unit; ' +
  'overfitting: train vs validation LCA per layer (needs compute --val); freeze: when each layer stopped learning, FLOPs saved';


export const analyzeCommand = () =>
  new Command('analyze')
    .description('print a report on the LCA of a run (stdout: data only)')
    .addHelpText('after', examples('lca analyze --run runs/fc --report helped --table summary', 'lca analyze --run runs/fc --report layers --format tsv | sort -t$\'\\t\' -k2 -g'))
    .requiredOption('-r, --run <dir>', 'run directory with computed LCA; repeat for mean ± std and t-tests across runs (helped, layers)', collect)
    .option('--vs <dir>', 'a second group of runs (repeat) compared with Welch\'s t-test (helped, layers)', collect)
    .addOption(new Option('--report <name>', REPORT_HELP).choices(REPORTS).makeOptionMandatory())
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, tsv otherwise)').choices(FORMATS))
    .option('--table <name>', 'which table TSV/CSV print: summary (the headline numbers, e.g. percent_helped, as name<TAB>value rows) or one of the report\'s tables (default: the first; docs/formats.md lists them); JSON has all')
    .addOption(methodOption())
    .option('--iterations <a:b>', 'rows a … b−1 only', parseIterationRange)
    .option('--layers <glob>', 'only variables or layers matching the glob (* any text, ? one character, a,b either), e.g. fc_1*')
    .addOption(new Option('--merge <rule>', 'which variables form a layer: none, bias (kernel + bias), bias+bn (and batch norm into the conv before it)').choices(MERGES).default('bias'))
    .option('--top <n>', 'sync: moments of learning kept per layer (default 20); neurons: units listed per side (default 5)', parsePositiveInteger)
    .option('--draws <n>', 'sync: random-shift baseline draws', parseInteger, 1000)
    .option('--seed <n>', 'sync, tails: seed of the baseline shifts and the reservoir sample', parseInteger, 0)
    .option('--sample <n>', 'tails: reservoir sample size for the Weibull fits', parsePositiveInteger, 100000)
    .option('--band <f>', 'freeze: the band around zero, as a fraction of the mean |LCA| per iteration', parseNonNegative, 0.01)
    .addOption(logLevelOption())
    .action(async (flags: AnalyzeFlags) => {
      const [{ runAnalysis }, { runAcrossRuns }] = await Promise.all([import('../jobs/analyze.js'), import('../jobs/analyze-across.js')]);
      const range = flags.iterations;
      const options = {
        report: flags.report, method: flags.method,
        iterations: range ? [range[0], range[1] ?? Number.MAX_SAFE_INTEGER] as [number, number] : undefined,
        layers: flags.layers, merge: flags.merge, top: flags.top, draws: flags.draws, seed: flags.seed, sample: flags.sample, band: flags.band,
        reporter: reporterFrom(flags),
      };
      const vs = flags.vs ?? [];
      const report = flags.run.length === 1 && vs.length === 0
        ? await runAnalysis({ ...options, run: flags.run[0] })
        : await runAcrossRuns({ ...options, runs: flags.run, vs });
      for (const warning of report.warnings ?? []) options.reporter.warn(warning);
      const format = flags.format ?? (process.stdout.isTTY ? 'table' : 'tsv');
      writeOut(render(report, format, flags.table));
    });
