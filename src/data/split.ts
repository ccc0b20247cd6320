// The paper's train/validation split: seeded numpy choice for validation, everything else in order.

import { RandomState } from './mt19937.js';

export interface Split {
  /** Indices not chosen for validation, ascending (the original file order). */
  trainIndices: Int32Array;
  /** The validation indices in the order `np.random.choice` returns them. */
  valIndices: Int32Array;
}

/**
 * `np.random.seed(seed); np.random.choice(range(total), size=valCount, replace=False)` as in the
 * original `data/download_mnist.py` (original-conventions.md §2): legacy choice without replacement
 * is `permutation(total)[:valCount]`. Defaults give 55,000/5,000 for MNIST, 45,000/5,000 for CIFAR-10.
 */
export function paperSplit(total: number, valCount = 5000, seed = 0): Split {
  if (!Number.isInteger(valCount) || valCount < 0 || valCount > total) {
    throw new RangeError(`valCount must be an integer in [0, ${total}], got ${valCount}`);
  }
  const valIndices = new RandomState(seed).permutation(total).slice(0, valCount);
  const isVal = new Uint8Array(total);
  for (let i = 0; i < valCount; i++) isVal[valIndices[i]] = 1;
  const trainIndices = new Int32Array(total - valCount);
  let k = 0;
  for (let i = 0; i < total; i++) {
    if (isVal[i] === 0) trainIndices[k++] = i;
  }
  return { trainIndices, valIndices };
}
