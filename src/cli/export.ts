// `lca export`: flags → runExport (a run lca trained, as ONNX + safetensors + .npz).
import { Command } from 'commander';
import { examples, logLevelOption, PROJECT_ROOT, reporterFrom } from './common.js';
import type { LogLevel } from './console.js';

interface ExportFlags {
  run: string;
  out: string;
  dataDir?: string;
  force?: boolean;
  logLevel: LogLevel;
}

export const exportCommand = () =>
  new Command('export')
    .description('write a run lca trained as files other tools read and `lca import` takes back: model.onnx, ckpt/step-*.safetensors, train.npz')
    .addHelpText('after', examples('lca export --run runs/fc --out exported/fc'))
    .requiredOption('-r, --run <dir>', 'run directory made by `lca train`')
    .requiredOption('-o, --out <dir>', 'folder to create')
    .option('--data-dir <dir>', 'folder with the dataset files, if not where training found them')
    .option('--force', 'replace an existing folder')
    .addOption(logLevelOption())
    .action(async (flags: ExportFlags) => {
      const { runExport } = await import('../jobs/export.js');
      await runExport({ run: flags.run, out: flags.out, dataDir: flags.dataDir, force: !!flags.force, projectRoot: PROJECT_ROOT, reporter: reporterFrom(flags) });
    });
