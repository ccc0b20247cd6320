// `lca report`: flags → writeHtmlReport → one self-contained, offline HTML file with every figure and table.
import { Command } from 'commander';
import type { Method } from '../lca/integrate.js';
import { UsageError } from '../errors.js';
import { assertOutputFree, examples, forceOption, logLevelOption, methodOption, reporterFrom } from './common.js';
import type { LogLevel } from './console.js';
import { parseIterationRange } from './parse.js';

interface ReportFlags {
  run: string;
  out: string;
  method?: Method;
  iterations?: [number, number | undefined];
  force?: boolean;
  logLevel: LogLevel;
}

export const reportCommand = () =>
  new Command('report')
    .description('write one self-contained HTML file (works offline): run summary, every figure, every analysis table')
    .addHelpText('after', examples('lca report --run runs/fc --out report.html'))
    .requiredOption('-r, --run <dir>', 'run directory with computed LCA')
    .requiredOption('-o, --out <file>', 'output file, e.g. report.html')
    .addOption(methodOption())
    .option('--iterations <a:b>', 'rows a … b−1 only (default all computed rows)', parseIterationRange)
    .addOption(forceOption())
    .addOption(logLevelOption())
    .action(async (flags: ReportFlags) => {
      if (!/\.html?$/i.test(flags.out)) throw new UsageError(`--out ${flags.out}: the file must end in .html`);
      assertOutputFree(flags.out, flags.force);
      const { writeHtmlReport } = await import('../jobs/html-report.js');
      const reporter = reporterFrom(flags);
      const started = performance.now();
      const range = flags.iterations;
      const { bytes } = await writeHtmlReport({
        run: flags.run, out: flags.out, method: flags.method, reporter,
        iterations: range ? [range[0], range[1] ?? Number.MAX_SAFE_INTEGER] : undefined,
      });
      reporter.info(`wrote ${flags.out}`, { bytes, ms: Math.round(performance.now() - started) });
    });
