// Turns a pair of IDX files into checked uint8 image sets, selects rows, scales to [0,1] and fingerprints.

import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { DatasetName, ImageSet, LoadedDataset } from './types.js';
import { readIdx } from './idx.js';

/** MNIST and Fashion-MNIST: 28×28 greyscale, 10 classes. */
export const MNIST_SHAPE: [number, number, number] = [28, 28, 1];
export const MNIST_CLASSES = 10;

/** Images and labels as stored on disk, before scaling. */
export interface RawImageSet {
  images: Uint8Array; // [N, H, W, C]
  labels: Uint8Array; // [N]
  count: number;
}

/** Reads an images file and its labels file, checking shapes, counts and label range. */
export function readImageSet(imagesPath: string, labelsPath: string, shape: readonly number[], numClasses: number): RawImageSet {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  const [h, w, c] = shape;
  // IDX image files are [N, H, W] for one channel and [N, H, W, C] otherwise.
  const expected = c === 1 ? [h, w] : [h, w, c];
  if (images.dims.length !== expected.length + 1 || expected.some((n, i) => images.dims[i + 1] !== n)) {
    throw new InputError(`${imagesPath}: expected images of shape [N, ${expected.join(', ')}], found [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1) {
    throw new InputError(`${labelsPath}: expected a 1-dimensional label file, found shape [${labels.dims.join(', ')}]`);
  }
  const count = images.dims[0];
  if (labels.dims[0] !== count) {
    throw new InputError(`${imagesPath} holds ${count} images but ${labelsPath} holds ${labels.dims[0]} labels`);
  }
  for (let i = 0; i < count; i++) {
    if (labels.data[i] >= numClasses) {
      throw new InputError(`${labelsPath}: label ${labels.data[i]} at index ${i} is not a class id below ${numClasses}`);
    }
  }
  return { images: images.data, labels: labels.data, count };
}

/** Images (`pixels` values each) and labels at `indices`, in that order, copied into fresh arrays. */
export function gatherExamples<Images extends Uint8Array | Float32Array>(
  images: Images, labels: Uint8Array, pixels: number, indices: ArrayLike<number>,
): { images: Images; labels: Uint8Array } {
  const out = new (images.constructor as new (length: number) => Images)(indices.length * pixels);
  const outLabels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    out.set(images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    outLabels[k] = labels[i];
  }
  return { images: out, labels: outLabels };
}

/** The rows at `indices`, in that order. */
export function takeRows(set: RawImageSet, indices: Int32Array): RawImageSet {
  const pixels = set.count === 0 ? 0 : set.images.length / set.count;
  return { ...gatherExamples(set.images, set.labels, pixels, indices), count: indices.length };
}

/** Pixels / 255 as float32: what the original gets from `train_x / np.max(train_x)` when the max is 255. */
export function scaleImages(set: RawImageSet): ImageSet {
  const images = new Float32Array(set.images.length);
  for (let i = 0; i < images.length; i++) images[i] = set.images[i] / 255;
  return { images, labels: set.labels, count: set.count };
}

/** sha256 over train images, train labels, val images, val labels: identifies both data and split. */
export function fingerprint(train: RawImageSet, val: RawImageSet): string {
  const hash = createHash('sha256');
  for (const bytes of [train.images, train.labels, val.images, val.labels]) hash.update(bytes);
  return hash.digest('hex');
}

/** Builds the LoadedDataset for a train/val pair of uint8 images of `shape`. */
export function assembleDataset(
  name: DatasetName, source: string, shape: readonly [number, number, number], numClasses: number, train: RawImageSet, val: RawImageSet,
): LoadedDataset {
  return {
    name,
    imageShape: [...shape],
    numClasses,
    train: scaleImages(train),
    val: scaleImages(val),
    source,
    fingerprint: fingerprint(train, val),
  };
}

/** Builds the LoadedDataset for an MNIST-shaped train/val pair. */
export const assembleMnistLike = (name: DatasetName, source: string, train: RawImageSet, val: RawImageSet): LoadedDataset =>
  assembleDataset(name, source, MNIST_SHAPE, MNIST_CLASSES, train, val);
