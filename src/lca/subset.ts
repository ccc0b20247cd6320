// `lca compute --subset N`: an approximation of the full-training-set loss on N fixed, seeded examples —
// the first N of numpy's `RandomState(seed).permutation(count)`, i.e. `choice(count, N, replace=False)`,
// kept in their original order so that evaluation batches read the data front to back.
import { RandomState } from '../data/mt19937.js';
import { UsageError } from '../errors.js';

export interface Subset {
  count: number; // N
  of: number; // the training set's size
  seed: number;
}

/** Indices of the subset's examples, ascending. */
export function subsetIndices({ count, of, seed }: Subset): Int32Array {
  if (!Number.isInteger(count) || count < 1 || count > of) throw new UsageError(`--subset ${count}: must be an integer from 1 to the ${of} training examples`);
  return new RandomState(seed).permutation(of).subarray(0, count).sort();
}

/** How every output names the approximation, e.g. `5000 of 55000`. */
export const describeSubset = ({ count, of }: Pick<Subset, 'count' | 'of'>): string => `${count} of ${of}`;
