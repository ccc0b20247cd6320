// `lca analyze`: flags → runAnalysis → stdout in the chosen format.
import { Command, Option } from 'commander';
import type { Method } from '../lca/integrate.js';
import { FORMATS, render, type Format } from '../report/format.js';
import { REPORTS, type ReportName } from '../jobs/analyze.js';
import { logLevelOption, methodOption, writeOut } from './common.js';
import { parseIterationRange } from './parse.js';

interface AnalyzeFlags {
  run: string;
  report: ReportName;
  format?: Format;
  table?: string;
  method?: Method;
  iterations?: [number, number | undefined];
}

export const analyzeCommand = () =>
  new Command('analyze')
    .description('print a report on the LCA of a run (stdout: data only)')
    .requiredOption('-r, --run <dir>', 'run directory with computed LCA')
    .addOption(new Option('--report <name>', 'helped: % of parameters helping/hurting/zero; layers: LCA per layer; error: grounding errors').choices(REPORTS).makeOptionMandatory())
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, tsv otherwise)').choices(FORMATS))
    .option('--table <name>', 'which table TSV/CSV print (default: the first; JSON has all)')
    .addOption(methodOption())
    .option('--iterations <a:b>', 'rows a … b−1 only', parseIterationRange)
    .addOption(logLevelOption())
    .action(async (flags: AnalyzeFlags) => {
      const { runAnalysis } = await import('../jobs/analyze.js');
      const range = flags.iterations;
      const report = await runAnalysis({
        run: flags.run, report: flags.report, method: flags.method,
        iterations: range ? [range[0], range[1] ?? Number.MAX_SAFE_INTEGER] : undefined,
      });
      const format = flags.format ?? (process.stdout.isTTY ? 'table' : 'tsv');
      writeOut(render(report, format, flags.table));
    });
