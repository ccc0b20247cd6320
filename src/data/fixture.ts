// Loads the small Fashion-MNIST subset shipped in fixtures/ (already split; made by scripts/make-fixtures.ts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { LoadedDataset } from './types.js';
import { MNIST_CLASSES, MNIST_SHAPE, assembleMnistLike, readImageSet } from './imageset.js';

/** The fixture folder relative to the package root. */
export const FIXTURE_DIR = join('fixtures', 'fashion-mnist-subset');

/** File names of one part ('train' or 'val') of the fixture. */
export function fixtureFiles(part: 'train' | 'val'): { images: string; labels: string } {
  return { images: `${part}-images-idx3-ubyte.gz`, labels: `${part}-labels-idx1-ubyte.gz` };
}

/** The first 10,000 images of the paper's training set and the first 1,000 of its validation set. */
export function loadFixture(projectRoot: string): LoadedDataset {
  const dir = join(projectRoot, FIXTURE_DIR);
  const read = (part: 'train' | 'val') => {
    const files = fixtureFiles(part);
    const images = join(dir, files.images);
    if (!existsSync(images)) {
      throw new InputError(`fashion-mnist-fixture: ${images} not found (regenerate it with: node dist/scripts/make-fixtures.js)`);
    }
    return readImageSet(images, join(dir, files.labels), MNIST_SHAPE, MNIST_CLASSES);
  };
  return assembleMnistLike('fashion-mnist-fixture', dir, read('train'), read('val'));
}
