// `lca import`: flags → runImport (a model trained elsewhere becomes a run directory).
import { Command } from 'commander';
import { examples, logLevelOption, PROJECT_ROOT, reporterFrom } from './common.js';
import { parsePositiveInteger } from './parse.js';
import type { LogLevel } from './console.js';

interface ImportFlags {
  model: string;
  checkpoints: string[];
  steps?: string;
  data: string;
  dataDir?: string;
  evalBatchSize?: number;
  out: string;
  force?: boolean;
  logLevel: LogLevel;
}

export const importCommand = () =>
  new Command('import')
    .description('make a run directory from a model trained elsewhere: an ONNX graph, its checkpoints and its training data (docs/import.md)')
    .addHelpText('after', examples('lca import --model model.onnx --checkpoints \'ckpt/step-*.safetensors\' --data train.npz --out runs/mine'))
    .requiredOption('--model <file.onnx>', 'forward graph: one data input → logits, parameters as initializers (torch.onnx.export)')
    .requiredOption('--checkpoints <files...>', 'safetensors or .npz state dicts, one per step (quote a pattern: \'ckpt/step-*.safetensors\'), or one file stacking [T+1, …] per parameter')
    .option('--steps <list>', 'training steps of the checkpoints in name order (0,10,20 or 0:100:10); default: the last number in each file name')
    .requiredOption('--data <file.npz|dataset>', 'training set: an .npz with x (float32, the model\'s input layout) and y (class ids), optional x_val, y_val; or a built-in dataset name')
    .option('--data-dir <dir>', 'folder of a built-in dataset\'s files')
    .option('--eval-batch-size <n>', 'batch for full-dataset evaluation in `lca compute` (default 11000; part of the loss for batch-norm graphs in training mode)', parsePositiveInteger)
    .requiredOption('-o, --out <dir>', 'run directory to create')
    .option('--force', 'replace an existing run directory')
    .addOption(logLevelOption())
    .action(async (flags: ImportFlags) => {
      const { parseSteps } = await import('../interop/checkpoints.js');
      const { runImport } = await import('../jobs/import.js');
      await runImport({
        model: flags.model, checkpoints: flags.checkpoints, steps: flags.steps === undefined ? undefined : parseSteps(flags.steps),
        data: flags.data, dataDir: flags.dataDir, evalBatchSize: flags.evalBatchSize,
        out: flags.out, force: !!flags.force, projectRoot: PROJECT_ROOT, reporter: reporterFrom(flags),
      });
    });
