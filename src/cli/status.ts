// `lca status`: flags → runStatus → stdout in the chosen format.
import { Command, Option } from 'commander';
import { FORMATS, render, type Format } from '../report/format.js';
import { examples, logLevelOption, reporterFrom, writeOut } from './common.js';
import type { LogLevel } from './console.js';

interface StatusFlags {
  run: string;
  format?: Format;
  table?: string;
  logLevel: LogLevel;
}

export const statusCommand = () =>
  new Command('status')
    .description('what a run holds: training, and per computed method the rows computed, missing, and their grounding error so far')
    .addHelpText('after', examples('lca status --run runs/fc', 'lca status --run runs/fc --format json'))
    .requiredOption('-r, --run <dir>', 'run directory made by `lca train`')
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, tsv otherwise)').choices(FORMATS))
    .option('--table <name>', 'which table TSV/CSV print: methods (default), parts, or summary (the run\'s facts as name<TAB>value rows); JSON has all')
    .addOption(logLevelOption())
    .action(async (flags: StatusFlags) => {
      const { runStatus } = await import('../jobs/status.js');
      const report = await runStatus({ run: flags.run });
      for (const warning of report.warnings ?? []) reporterFrom(flags).warn(warning);
      writeOut(render(report, flags.format ?? (process.stdout.isTTY ? 'table' : 'tsv'), flags.table));
    });
