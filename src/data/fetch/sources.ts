// Where each dataset is downloaded from, the files it consists of and their published checksums.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { CIFAR_SUBFOLDER, resolveCifarDir } from '../cifar10.js';
import type { DataDirChoice } from '../data-dir.js';
import { resolveDataDir } from '../mnist.js';

export const FETCH_DATASETS = ['mnist', 'fashion-mnist', 'cifar10'] as const;
export type FetchDataset = (typeof FETCH_DATASETS)[number];

/** One file as published: its name under every base URL and the hex digest its publisher lists. */
export interface SourceFile {
  name: string;
  /** md5 (32 hex digits) or sha256 (64): whichever the publisher gives. */
  digest: string;
  /** For a .gz file, the digest of its content: accepts a copy gzipped again (e.g. Debian's) or gunzipped. */
  rawDigest?: string;
}

export interface DatasetSource {
  /** Base URLs tried in order; each file is `<base><name>`. `--mirror` replaces the list. */
  mirrors: readonly string[];
  files: readonly SourceFile[];
  /** For an archive (CIFAR-10): the folder inside it that holds the data, installed under the same name. */
  extract?: { folder: string; members: readonly string[] };
}

// Both MNIST-format datasets publish the same four names; the loaders read only the two train files,
// but the test files come along so that the folder is the complete dataset as published.
const IDX_NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const withDigests = (digests: readonly string[], raw: readonly string[]): SourceFile[] =>
  IDX_NAMES.map((name, i) => ({ name, digest: digests[i], rawDigest: raw[i] }));

export const SOURCES: Record<FetchDataset, DatasetSource> = {
  // Mirrors and md5s: torchvision/datasets/mnist.py, class MNIST (`mirrors`, `resources`), pytorch/vision
  // at 01977a18; the same four md5s appear in many independent downloaders. ossci-datasets first because
  // yann.lecun.com now often refuses plain downloads.
  mnist: {
    mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'],
    files: withDigests([
      'f68b3c2dcbeaaa9fbdd348bbdeb94873',
      'd53e105ee54ea40749a09fcbcd1e9432',
      '9fb629c4189551a2d022fa330f9573f3',
      'ec29112dd5afa0611ce80d1b7f02629c',
    ], [
      // md5s of the gunzipped files, as listed alike by several independent loaders (e.g. the
      // "MD5 checksums of the uncompressed files" table of a prepare_datasets.py, and dataset configs giving
      // train-images-idx3-ubyte as 47,040,016 bytes with this md5).
      '6bbc9ace898e44ae57da46a324031adb',
      'a25bea736e30d166cdddb491f175f624',
      '2646ac647ad5339dbf082846283269ea',
      '27ae3e4e09519cfbb04c329615203637',
    ]),
  },
  // md5s: the "Get the Data" table of zalandoresearch/fashion-mnist's README (at 02cf0676), the same as
  // torchvision's class FashionMNIST (same file as above). The S3 website endpoint is http only, so the
  // repository's data/fashion/ files (https) come first.
  'fashion-mnist': {
    mirrors: [
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    ],
    files: withDigests([
      '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
      '25c81989df183df01b3e8a0aad5dffbe',
      'bef4ecab320f06d8554ea6380940ec79',
      'bb300cfdad3c16e7a12a480ee83cd310',
    ], [
      // md5s of the gunzipped files, as listed by loaders that check the raw IDX files (a FashionMNIST
      // VisionDataset's `raw_data`, the prepare_datasets.py above); Debian's dataset-fashion-mnist gzips the
      // files again (other .gz md5s) and its content matches these four exactly.
      'f4a8712d7a061bf5bd6d2ca38dc4d50a',
      '9018921c3c673c538a1fc5bad174d6f9',
      '8181f5470baa50b63fa0f6fddb340f0a',
      '15d484375f8d13e6eb1aabb0c3f46965',
    ]),
  },
  // md5 of the "binary version" as published on https://www.cs.toronto.edu/~kriz/cifar.html.
  cifar10: {
    mirrors: ['https://www.cs.toronto.edu/~kriz/'],
    files: [{ name: 'cifar-10-binary.tar.gz', digest: 'c32a1d4ab5d03f1284b67883e8d87530' }],
    extract: {
      folder: CIFAR_SUBFOLDER,
      members: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin', 'batches.meta.txt'],
    },
  },
};

/** The folder the dataset's loader reads by default (or from --dir / LCA_DATA_DIR), by the loader's own rule. */
export function fetchTarget(name: FetchDataset, dir: string | undefined, env: NodeJS.ProcessEnv): DataDirChoice {
  return name === 'cifar10' ? resolveCifarDir(dir, env) : resolveDataDir(name, dir, env);
}

/** Where the extracted files of an archive dataset end up, e.g. <dir>/cifar-10-batches-bin. */
export const extractedFolder = (source: DatasetSource, dir: string): string | undefined =>
  source.extract === undefined ? undefined : join(dir, source.extract.folder);

/**
 * Digests that replace the published ones, by file name, from the JSON file named by LCA_FETCH_CHECKSUMS.
 * It exists for the tests, whose local server serves small stand-in files; a mirror serves the real ones.
 */
export function checksumOverrides(env: NodeJS.ProcessEnv): Record<string, string> {
  const file = env.LCA_FETCH_CHECKSUMS;
  if (file === undefined || file === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`LCA_FETCH_CHECKSUMS=${file}: cannot read a JSON object of file name → digest (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new UsageError(`LCA_FETCH_CHECKSUMS=${file}: expected a JSON object of file name → hex digest`);
  }
  return parsed as Record<string, string>;
}
