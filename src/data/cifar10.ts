// CIFAR-10 from the "binary version" files data_batch_1..5.bin, with the paper's 45,000/5,000 split.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { chooseDataDir, type DataDirChoice } from './data-dir.js';
import type { LoadedDataset } from './types.js';
import { assembleDataset, takeRows, type RawImageSet } from './imageset.js';
import { paperSplit } from './split.js';

export const CIFAR_SHAPE: [number, number, number] = [32, 32, 3];
export const CIFAR_CLASSES = 10;

// The binary format (https://www.cs.toronto.edu/~kriz/cifar.html): per record one label byte, then
// the 1024 red, 1024 green and 1024 blue bytes of a 32×32 image, each plane row-major; 10,000 records a file.
const PLANE = 32 * 32;
export const RECORD_BYTES = 1 + 3 * PLANE; // 3,073
export const RECORDS_PER_FILE = 10000;
export const CIFAR_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
/** The official archive extracts into this folder; a data folder may hold the files directly or under it. */
export const CIFAR_SUBFOLDER = 'cifar-10-batches-bin';
const ARCHIVE = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';

/** Records in CIFAR's planar layout → NHWC images and labels; `file` names the source in errors. */
export function decodeCifarRecords(bytes: Uint8Array, file: string): RawImageSet {
  if (bytes.length % RECORD_BYTES !== 0) {
    throw new InputError(`${file}: ${bytes.length} bytes is not a whole number of ${RECORD_BYTES}-byte CIFAR-10 records`);
  }
  const count = bytes.length / RECORD_BYTES;
  const images = new Uint8Array(count * 3 * PLANE); // [N, 32, 32, 3]
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const record = i * RECORD_BYTES;
    const label = bytes[record];
    if (label >= CIFAR_CLASSES) throw new InputError(`${file}: label ${label} of record ${i} is not a class id below ${CIFAR_CLASSES}`);
    labels[i] = label;
    const out = i * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      for (let c = 0; c < 3; c++) images[out + 3 * p + c] = bytes[record + 1 + c * PLANE + p];
    }
  }
  return { images, labels, count };
}

/** One data_batch_N.bin, which must hold exactly 10,000 records. */
export function readCifarBatch(file: string): RawImageSet {
  const expected = RECORDS_PER_FILE * RECORD_BYTES;
  const size = statSync(file).size;
  if (size !== expected) {
    throw new InputError(`${file}: ${size} bytes, expected ${expected} (${RECORDS_PER_FILE} records of ${RECORD_BYTES} bytes); is it a CIFAR-10 binary batch?`);
  }
  return decodeCifarRecords(readFileSync(file), file);
}

/** --data-dir / data_dir, else LCA_DATA_DIR, else ~/.cache/lca/cifar10. */
export const resolveCifarDir = (dataDir: string | undefined, env: NodeJS.ProcessEnv): DataDirChoice =>
  chooseDataDir(dataDir, env, join(env.HOME ?? homedir(), '.cache', 'lca', 'cifar10'));

/** The folder that holds data_batch_1.bin: the chosen one or its cifar-10-batches-bin/ subfolder. */
function findBatches(choice: DataDirChoice): string {
  for (const dir of [choice.dir, join(choice.dir, CIFAR_SUBFOLDER)]) {
    if (existsSync(join(dir, CIFAR_FILES[0]))) return dir;
  }
  const from = choice.origin === 'default' ? 'the default folder' : `from ${choice.origin === 'data_dir' ? '--data-dir / data_dir' : 'LCA_DATA_DIR'}`;
  throw new InputError(
    `cifar10: ${CIFAR_FILES[0]} not found in ${choice.dir} or its ${CIFAR_SUBFOLDER}/ (${from}; download ${ARCHIVE} ` +
      `and extract it there, e.g. mkdir -p ${choice.dir} && curl -fL ${ARCHIVE} | tar -xz -C ${choice.dir}, or pass --data-dir / set LCA_DATA_DIR)`,
  );
}

/**
 * The 50,000 training images of data_batch_1..5 in file order, split as the original's
 * data/download_cifar10.py does (original-conventions.md §2): 5,000 validation images chosen by
 * numpy's RandomState(0), the remaining 45,000 in order; the test batch is never read.
 */
export function loadCifar10(dataDir: string | undefined, env: NodeJS.ProcessEnv): LoadedDataset {
  const dir = findBatches(resolveCifarDir(dataDir, env));
  const parts = CIFAR_FILES.map((file) => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new InputError(`cifar10: ${path} not found (the five data_batch_N.bin files belong together)`);
    return readCifarBatch(path);
  });
  const count = RECORDS_PER_FILE * parts.length;
  const all: RawImageSet = { images: new Uint8Array(count * 3 * PLANE), labels: new Uint8Array(count), count };
  parts.forEach((part, k) => {
    all.images.set(part.images, k * part.images.length);
    all.labels.set(part.labels, k * part.count);
  });
  const split = paperSplit(count);
  return assembleDataset('cifar10', dir, CIFAR_SHAPE, CIFAR_CLASSES, takeRows(all, split.trainIndices), takeRows(all, split.valIndices));
}
