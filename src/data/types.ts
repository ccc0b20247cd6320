// The dataset vocabulary: names, image shapes, and the loaded train/val sets every loader returns.
// Kept apart from dataset.ts (which imports every loader) so the loaders can share it without a cycle.

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
