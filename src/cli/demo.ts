// `lca demo`: the whole pipeline on the embedded Fashion-MNIST subset — train, compute, analyze.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type { BackendChoice } from '../backend/names.js';
import { DEFAULT_MAX_SPLITS, DEFAULT_TOLERANCE } from '../lca/integrate.js';
import { render, type Format } from '../report/format.js';
import { backendOption, examples, logLevelOption, PROJECT_ROOT, reporterFrom, writeOut } from './common.js';
import { parsePositiveInteger } from './parse.js';
import type { LogLevel } from './console.js';
import type { Reporter } from '../jobs/reporter.js';

interface DemoFlags {
  out?: string;
  iterations: number;
  backend: BackendChoice;
  force?: boolean;
  logLevel: LogLevel;
}

export const demoCommand = () =>
  new Command('demo')
    .description('train MNIST-FC on the bundled 10,000 Fashion-MNIST images, compute its LCA and print the helped report')
    .addHelpText('after', examples('lca demo', 'lca demo --out runs/demo'))
    .option('-o, --out <dir>', 'keep the run here (default: a new temporary directory)')
    .option('--iterations <n>', 'training iterations', parsePositiveInteger, 40)
    .addOption(backendOption().default('auto'))
    .option('--force', 'replace --out if it exists')
    .addOption(logLevelOption())
    .action(async (flags: DemoFlags) => {
      const reporter = reporterFrom(flags);
      if (flags.out) {
        await runDemo(flags.out, flags, reporter);
        reporter.info(`run kept in ${flags.out}; try \`lca analyze --run ${flags.out} --report layers\``);
        return;
      }
      // Without --out the run lives in a temporary folder that is removed at the end, even on failure.
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-demo-'));
      try {
        await runDemo(path.join(scratch, 'run'), flags, reporter);
        reporter.info('the run was temporary and is now removed; pass --out DIR to keep it');
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    });

async function runDemo(out: string, flags: DemoFlags, reporter: Reporter): Promise<void> {
  const { loadConfig } = await import('../config/load.js');
  const config = loadConfig(path.join(PROJECT_ROOT, 'configs', 'mnist-fc.yaml'), {
    dataset: 'fashion-mnist-fixture', iterations: flags.iterations, backend: flags.backend,
  });
  const { runTraining } = await import('../jobs/train.js');
  await runTraining({ config, out, force: !!flags.force, projectRoot: PROJECT_ROOT, reporter });
  const { runCompute } = await import('../jobs/compute.js');
  await runCompute({
    run: out, method: 'adaptive', val: false, tolerance: DEFAULT_TOLERANCE, maxSplits: DEFAULT_MAX_SPLITS,
    partSize: 50, backend: flags.backend, force: false, projectRoot: PROJECT_ROOT, reporter,
  });
  const { runAnalysis } = await import('../jobs/analyze.js');
  const format: Format = process.stdout.isTTY ? 'table' : 'tsv';
  writeOut(render(await runAnalysis({ run: out, report: 'helped' }), format));
}
