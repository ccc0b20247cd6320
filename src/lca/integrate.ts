// LCA of one iteration: LCA_i = ḡ_i · (θ_{t+1,i} − θ_{t,i}), with ḡ the path-averaged gradient,
// and its grounding error ΔL − Σ_i LCA_i. Pure: gradients come from an oracle, so the rule can be
// tested on functions whose integrals are known.
import { SimpsonAccumulator, type Vector } from './simpson.js';

export const METHODS = ['first-order', 'simpson', 'adaptive'] as const;
export type Method = (typeof METHODS)[number];

// The paper's accuracy target and the original's cap on doubling (original-conventions.md §11.5).
export const DEFAULT_TOLERANCE = 1e-3;
export const DEFAULT_MAX_SPLITS = 32;

/** Loss and gradient of each objective (train, and val with --val) at one iterate. */
export interface Evaluation {
  losses: number[];
  gradients: Vector[];
}

/**
 * Full-dataset gradient of each objective at the point θ = θ_t + s·(θ_{t+1} − θ_t) of the segment
 * (a promise on ONNX Runtime, whose sessions run asynchronously).
 */
export type GradientOracle = (theta: Float32Array, s: number) => Vector[] | Promise<Vector[]>;

export interface SegmentOptions {
  method: Method;
  tolerance: number;
  maxSplits: number;
  /**
   * Only the first `driving` objectives (train, and val with --val) decide whether to double; the
   * rest (per-class losses) ride along on the same points. Default: every objective drives.
   */
  driving?: number;
  /** Told before a row doubles to `splits` intervals because its worst error is `error` (progress of long rows). */
  onRefine?: (splits: number, error: number) => void;
}

export interface SegmentLca {
  lca: Float64Array[]; // per objective, [K]
  sums: number[]; // Σ_i LCA_i per objective
  errors: number[]; // (L_{t+1} − L_t) − Σ_i LCA_i per objective
  splits: number; // Simpson intervals used; 1 for first-order
}

/** θ_t + s·(θ_{t+1} − θ_t), rounded once to float32 (the dtype the network evaluates in). */
export function pointOnSegment(start: Float32Array, end: Float32Array, s: number, out = new Float32Array(start.length)): Float32Array {
  for (let i = 0; i < start.length; i++) out[i] = start[i] + s * (end[i] - start[i]);
  return out;
}

function allocate(averages: Vector[], start: Float32Array, end: Float32Array, from: Evaluation, to: Evaluation): Omit<SegmentLca, 'splits'> {
  const lca = averages.map((g) => {
    const out = new Float64Array(start.length);
    for (let i = 0; i < out.length; i++) out[i] = g[i] * (end[i] - start[i]);
    return out;
  });
  const sums = lca.map((values) => {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i];
    return sum;
  });
  const errors = sums.map((sum, k) => to.losses[k] - from.losses[k] - sum);
  return { lca, sums, errors };
}

export async function integrateSegment(
  start: Float32Array, end: Float32Array, from: Evaluation, to: Evaluation, oracle: GradientOracle, options: SegmentOptions,
): Promise<SegmentLca> {
  if (options.method === 'first-order') return { ...allocate(from.gradients, start, end, from, to), splits: 1 };

  const point = new Float32Array(start.length);
  const objectives = from.gradients.map(() => new SimpsonAccumulator(start.length));
  const midpoint = await oracle(pointOnSegment(start, end, 0.5, point), 0.5);
  objectives.forEach((acc, k) => acc.start(from.gradients[k], midpoint[k], to.gradients[k]));

  for (;;) {
    const result = allocate(objectives.map((acc) => acc.average()), start, end, from, to);
    const worst = Math.max(...result.errors.slice(0, options.driving ?? result.errors.length).map(Math.abs));
    const n = objectives[0].n;
    if (options.method === 'simpson' || worst <= options.tolerance || n >= options.maxSplits) return { ...result, splits: n };
    options.onRefine?.(2 * n, worst);
    const points = objectives[0].nextPoints();
    objectives.forEach((acc) => acc.beginRefinement());
    for (const s of points) (await oracle(pointOnSegment(start, end, s, point), s)).forEach((g, k) => objectives[k].addMidpoint(g));
  }
}
