// The one entry that loads a dataset by name (the vocabulary is in types.ts).

import { UsageError } from '../errors.js';
import { loadCifar10 } from './cifar10.js';
import { loadFixture } from './fixture.js';
import { loadStandard } from './mnist.js';
import { generateSyntheticCifar } from './synthetic-cifar.js';
import { DATASET_NAMES, type DatasetName, type LoadedDataset } from './types.js';

export interface LoadDatasetOptions {
  /** The config's `data_dir` or `--data-dir`; wins over LCA_DATA_DIR and the default. */
  dataDir?: string;
  /** Environment to read LCA_DATA_DIR and HOME from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The lca package root, where `fixtures/` lives. */
  projectRoot: string;
}

/** Loads a dataset by name, with the paper's split applied. Throws InputError naming the file at fault. */
export function loadDataset(name: DatasetName, opts: LoadDatasetOptions): LoadedDataset {
  switch (name) {
    case 'fashion-mnist':
    case 'mnist':
      return loadStandard(name, opts.dataDir, opts.env ?? process.env);
    case 'fashion-mnist-fixture':
      return loadFixture(opts.projectRoot);
    case 'cifar10':
      return loadCifar10(opts.dataDir, opts.env ?? process.env);
    case 'synthetic-cifar':
      return generateSyntheticCifar();
    default:
      // Unreachable for typed callers; guards names that arrive unchecked from JS or YAML.
      throw new UsageError(`unknown dataset '${String(name)}' (expected one of: ${DATASET_NAMES.join(', ')})`);
  }
}
