// The dataset vocabulary (names, shapes, the loaded train/val sets) and the one entry that loads them.

import { UsageError } from '../errors.js';
import { loadCifar10 } from './cifar10.js';
import { loadFixture } from './fixture.js';
import { loadStandard } from './mnist.js';
import { generateSyntheticCifar } from './synthetic-cifar.js';

export interface ImageSet {
  /** [N, H, W, C] float32, NHWC, pixels / 255 (original-conventions.md §2: no other preprocessing). */
  images: Float32Array;
  /** [N] class ids. */
  labels: Uint8Array;
  count: number;
}

export interface LoadedDataset {
  name: DatasetName;
  /** [H, W, C] of one image. */
  imageShape: [number, number, number];
  numClasses: number;
  /** The paper's training set: 55,000 (MNIST) or 45,000 (CIFAR-10) images in original order (fixture, synthetic: what they hold). */
  train: ImageSet;
  /** The 5,000 validation images in the order numpy's `choice` returns them. */
  val: ImageSet;
  /** Directory the files were read from. */
  source: string;
  /** sha256 hex over train images, train labels, val images, val labels (uint8 bytes): names data and split. */
  fingerprint: string;
  /** True for generated data (synthetic-cifar): results on it say nothing about the real dataset. */
  synthetic?: boolean;
}

export const DATASET_NAMES = ['fashion-mnist', 'mnist', 'fashion-mnist-fixture', 'cifar10', 'synthetic-cifar'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** [H, W, C] of each dataset's images, known before loading (to match a network to its data early). */
export const DATASET_IMAGE_SHAPES: Record<DatasetName, [number, number, number]> = {
  'fashion-mnist': [28, 28, 1],
  mnist: [28, 28, 1],
  'fashion-mnist-fixture': [28, 28, 1],
  cifar10: [32, 32, 3],
  'synthetic-cifar': [32, 32, 3],
};

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
