// Which examples each evaluation batch of a full-dataset objective holds, and how per-batch sums
// become L, ∇L and the per-class L_c, ∇L_c. Shared by every engine's objective (TF.js, ONNX Runtime).
import type { ImageSet } from '../data/types.js';

/** One evaluation batch: a contiguous run of the stored set, or gathered examples; `label` ≥ 0 with byClass. */
export type PlannedBatch = { start: number; count: number; label: number } | { examples: Int32Array; label: number };

export interface LossAndGradient {
  loss: number;
  gradient: Float64Array; // [K], θ's flat layout
  /** With `byClass`: L_c (NaN for a class with no examples) and ∇L_c ([K] each), per class id. */
  classes?: { losses: number[]; gradients: Float64Array[] };
}

/** The indices sorted stably by label: class 0's examples first, each class in its original order. */
export function orderByClass(labels: Uint8Array, indices: Int32Array, numClasses: number): { order: Int32Array; counts: number[] } {
  const counts = new Array<number>(numClasses).fill(0);
  for (const i of indices) counts[labels[i]]++;
  const next = counts.map((_, c) => counts.slice(0, c).reduce((a, b) => a + b, 0));
  const order = new Int32Array(indices.length);
  for (const i of indices) order[next[labels[i]]++] = i;
  return { order, counts };
}

// The original evaluates in contiguous batches and drops the remainder (original-conventions.md
// §11.1); here the last, shorter batch is kept so that L covers every example. For the paper's
// sets (55,000 / 11,000 and 45,000 / 2,500 or 5,000) there is no remainder and both agree.
export function planBatches(
  set: ImageSet, numClasses: number, evalBatchSize: number, options: { indices?: Int32Array; byClass?: boolean },
): { batches: PlannedBatch[]; classCounts: number[] } {
  const { indices, byClass = false } = options;
  const batches: PlannedBatch[] = [];
  if (!indices && !byClass) {
    // Contiguous slices: no copy, and bit for bit what compute did before subsets and classes existed.
    for (let start = 0; start < set.count; start += evalBatchSize) batches.push({ start, count: Math.min(evalBatchSize, set.count - start), label: -1 });
    return { batches, classCounts: [] };
  }
  const all = indices ?? Int32Array.from({ length: set.count }, (_, i) => i);
  // Without classes, one run of examples; with them, one run per class, so no batch crosses a class boundary.
  const runs: { label: number; examples: Int32Array }[] = [];
  let classCounts: number[] = [];
  if (byClass) {
    const { order, counts } = orderByClass(set.labels, all, numClasses);
    classCounts = counts;
    let start = 0;
    counts.forEach((n, label) => {
      runs.push({ label, examples: order.subarray(start, start + n) });
      start += n;
    });
  } else {
    runs.push({ label: -1, examples: all });
  }
  for (const { label, examples } of runs) {
    for (let start = 0; start < examples.length; start += evalBatchSize) {
      batches.push({ examples: examples.subarray(start, Math.min(start + evalBatchSize, examples.length)), label });
    }
  }
  return { batches, classCounts };
}

/**
 * Accumulates per-batch loss sums and gradients: into one total (scaled by 1/N), or with classes into
 * one per class (scaled by 1/n_c), combined at the end as L = Σ_c (n_c/N) L_c, ∇L = Σ_c (n_c/N) ∇L_c.
 */
export class BatchSums {
  private readonly sums: number[];
  private readonly gradients: Float64Array[];

  constructor(private readonly size: number, private readonly count: number, private readonly classCounts: number[]) {
    const targets = classCounts.length === 0 ? 1 : classCounts.length;
    this.sums = new Array<number>(targets).fill(0);
    this.gradients = Array.from({ length: targets }, () => new Float64Array(size));
  }

  /** Where batch `label`'s gradient goes, and the factor its sum is scaled by there. */
  target(label: number): { gradient: Float64Array; scale: number } {
    return label < 0 ? { gradient: this.gradients[0], scale: 1 / this.count } : { gradient: this.gradients[label], scale: 1 / this.classCounts[label] };
  }

  addLoss(label: number, lossSum: number): void {
    this.sums[Math.max(label, 0)] += lossSum;
  }

  result(): LossAndGradient {
    const counts = this.classCounts;
    if (counts.length === 0) return { loss: this.sums[0] / this.count, gradient: this.gradients[0] };
    const gradient = new Float64Array(this.size);
    counts.forEach((n, c) => {
      const weight = n / this.count;
      const g = this.gradients[c];
      if (n > 0) for (let i = 0; i < gradient.length; i++) gradient[i] += weight * g[i];
    });
    return {
      loss: this.sums.reduce((a, b) => a + b, 0) / this.count,
      gradient,
      classes: { losses: this.sums.map((s, c) => (counts[c] > 0 ? s / counts[c] : Number.NaN)), gradients: this.gradients },
    };
  }
}
