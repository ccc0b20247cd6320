// `lca train`: flags and config file → runTraining.
import { Command, Option } from 'commander';
import { MODEL_NAMES, OPTIMIZER_NAMES } from '../config/schema.js';
import { DATASET_NAMES } from '../data/types.js';
import { backendOption, examples, logLevelOption, PROJECT_ROOT, reporterFrom, threadsOption } from './common.js';
import { parseInteger, parseNumber, parsePositiveInteger } from './parse.js';
import type { LogLevel } from './console.js';

// Flag → config key: flags win over the file, and both pass the same validation.
const FLAG_KEYS = {
  model: 'model', dataset: 'dataset', dataDir: 'data_dir', optimizer: 'optimizer.name', lr: 'optimizer.lr',
  momentum: 'optimizer.momentum', batchSize: 'batch_size', epochs: 'epochs', iterations: 'iterations',
  seed: 'seed', evalBatchSize: 'eval_batch_size', backend: 'backend', initFrom: 'init_from',
} as const;

type TrainFlags = { [K in keyof typeof FLAG_KEYS]?: string | number } &
  { config?: string; out: string; force?: boolean; resume?: boolean; breakLock?: boolean; checkpointEvery?: number; threads?: number; logLevel: LogLevel };

export const trainCommand = () =>
  new Command('train')
    .description('train a network and save every iterate θ_0 … θ_T into a new run directory')
    .addHelpText('after', examples('lca train --config configs/mnist-fc.yaml --out runs/fc', 'lca train --config configs/mnist-fc.yaml --iterations 40 --out runs/short'))
    .option('-c, --config <file>', 'YAML config (see configs/); flags override its values')
    .requiredOption('-o, --out <dir>', 'run directory to create')
    .option('--force', 'replace an existing run directory (one with manifest.json) or a killed training\'s <out>.partial; nothing else')
    .option('--resume', 'continue the killed training of --out from its last checkpoint (config: the checkpoint\'s; any given must match)')
    .option('--break-lock', 'take over <out>.partial even though another host\'s lease on it is not stale yet (its training must be dead)')
    .option('--checkpoint-every <n>', 'iterations between checkpoints in <out>.partial (default 50)', parsePositiveInteger)
    .option('--init-from <dir>', 'start from θ_0 of this run directory (same model)')
    .addOption(new Option('--model <name>', 'network').choices(MODEL_NAMES))
    .addOption(new Option('--dataset <name>', 'dataset').choices(DATASET_NAMES))
    .option('--data-dir <dir>', 'folder with the dataset files (default: LCA_DATA_DIR, then the standard place)')
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZER_NAMES))
    .option('--lr <rate>', 'learning rate', parseNumber)
    .option('--momentum <m>', 'SGD and RMSprop momentum (0 = none)', parseNumber)
    .option('--batch-size <n>', 'minibatch size', parsePositiveInteger)
    .option('--epochs <n>', 'epochs', parsePositiveInteger)
    .option('--iterations <n>', 'iterations (overrides --epochs)', parsePositiveInteger)
    .option('--seed <n>', 'seed for θ_0 and shuffling', parseInteger)
    .option('--eval-batch-size <n>', 'batch for full-dataset evaluation in `lca compute`', parsePositiveInteger)
    .addOption(backendOption())
    .addOption(threadsOption())
    .addOption(logLevelOption())
    .action(async (flags: TrainFlags) => {
      const { loadConfig } = await import('../config/load.js');
      const overrides = Object.fromEntries(Object.entries(FLAG_KEYS).map(([flag, key]) => [key, flags[flag as keyof typeof FLAG_KEYS]]));
      // `--resume --out DIR` alone takes the checkpoint's config; anything given is checked against it.
      const given = flags.config !== undefined || Object.values(overrides).some((v) => v !== undefined);
      const config = flags.resume && !given ? undefined : loadConfig(flags.config, overrides);
      const { runTraining } = await import('../jobs/train.js');
      await runTraining({
        config, out: flags.out, force: !!flags.force, resume: !!flags.resume, breakLock: !!flags.breakLock, checkpointEvery: flags.checkpointEvery, threads: flags.threads,
        projectRoot: PROJECT_ROOT, reporter: reporterFrom(flags),
      });
    });
