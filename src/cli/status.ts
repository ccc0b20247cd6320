// `lca status`: flags → runStatus → stdout in the chosen format.
import { Command, Option } from 'commander';
import { FORMATS, render, type Format } from '../report/format.js';
import { logLevelOption, writeOut } from './common.js';

interface StatusFlags {
  run: string;
  format?: Format;
  table?: string;
}

export const statusCommand = () =>
  new Command('status')
    .description('what a run holds: training, and per method the rows computed, missing, and their grounding error so far')
    .requiredOption('-r, --run <dir>', 'run directory made by `lca train`')
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, tsv otherwise)').choices(FORMATS))
    .option('--table <name>', 'which table TSV/CSV print: methods (default), parts, or summary (the run\'s facts as name<TAB>value rows); JSON has all')
    .addOption(logLevelOption())
    .action(async (flags: StatusFlags) => {
      const { runStatus } = await import('../jobs/status.js');
      const report = await runStatus({ run: flags.run });
      writeOut(render(report, flags.format ?? (process.stdout.isTTY ? 'table' : 'tsv'), flags.table));
    });
