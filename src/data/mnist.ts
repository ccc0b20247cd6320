// Finds the standard MNIST / Fashion-MNIST training files on disk and applies the paper's split.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { chooseDataDir, type DataDirChoice } from './data-dir.js';
import type { LoadedDataset } from './types.js';
import { MNIST_CLASSES, MNIST_SHAPE, assembleMnistLike, readImageSet, takeRows } from './imageset.js';
import { paperSplit } from './split.js';

export type StandardName = 'mnist' | 'fashion-mnist';

// The canonical names from the MNIST site; Fashion-MNIST reuses them. Test files are never read.
const IMAGES = 'train-images-idx3-ubyte';
const LABELS = 'train-labels-idx1-ubyte';
/** Both datasets ship 60,000 training images; the paper's split is defined on exactly those. */
export const STANDARD_TRAIN_COUNT = 60000;

/** --data-dir / data_dir, else LCA_DATA_DIR, else the per-dataset default. */
export function resolveDataDir(name: StandardName, dataDir: string | undefined, env: NodeJS.ProcessEnv): DataDirChoice {
  const defaultDir = name === 'fashion-mnist' ? '/usr/share/datasets/fashion-mnist' : join(env.HOME ?? homedir(), '.cache', 'lca', 'mnist');
  return chooseDataDir(dataDir, env, defaultDir);
}

/** Loads the 60,000 training images and returns the paper's 55,000 train / 5,000 val. */
export function loadStandard(name: StandardName, dataDir: string | undefined, env: NodeJS.ProcessEnv): LoadedDataset {
  const choice = resolveDataDir(name, dataDir, env);
  const imagesPath = findIdx(name, choice, IMAGES);
  const labelsPath = findIdx(name, choice, LABELS);
  const all = readImageSet(imagesPath, labelsPath, MNIST_SHAPE, MNIST_CLASSES);
  if (all.count !== STANDARD_TRAIN_COUNT) {
    throw new InputError(
      `${name}: ${imagesPath} holds ${all.count} images; the paper's split needs the full ${STANDARD_TRAIN_COUNT}-image training file`,
    );
  }
  const split = paperSplit(STANDARD_TRAIN_COUNT);
  return assembleMnistLike(name, choice.dir, takeRows(all, split.trainIndices), takeRows(all, split.valIndices));
}

// Uncompressed first (faster to read), then .gz; readIdx checks the bytes, not the suffix.
function findIdx(name: StandardName, choice: DataDirChoice, base: string): string {
  for (const file of [base, `${base}.gz`]) {
    const path = join(choice.dir, file);
    if (existsSync(path)) return path;
  }
  throw new InputError(`${name}: ${base}[.gz] not found in ${choice.dir} (${howToGet(name, choice)})`);
}

function howToGet(name: StandardName, choice: DataDirChoice): string {
  const point = 'pass --data-dir / set LCA_DATA_DIR to a folder with the four IDX files';
  const from = choice.origin === 'data_dir' ? 'from --data-dir / data_dir' : `from ${choice.origin}`;
  if (name === 'fashion-mnist') {
    return choice.origin === 'default' ? `install Debian's dataset-fashion-mnist, or ${point}` : `${from}; point it at a folder with the four IDX files`;
  }
  const download =
    `download ${IMAGES}.gz and ${LABELS}.gz from the MNIST site ` +
    'http://yann.lecun.com/exdb/mnist/ or a mirror such as https://ossci-datasets.s3.amazonaws.com/mnist/ into that folder';
  return choice.origin === 'default' ? `${download}, or ${point}` : `${from}; ${download}`;
}
