// The cost model of `lca compute --dry-run` (and of the estimate a real compute logs at its end):
// gradient evaluations from the rows, ranges and method, times measured seconds per evaluation; bytes
// from the part layout. Pure: the measurements come in as numbers. Definitions: README, `--dry-run`.
import type { Method } from './integrate.js';

export interface GradientCount {
  /** Evaluations at iterates θ_t: one per row plus one per range start (which the row before would have shared). */
  endpoint: number;
  /** Evaluations inside a segment: splits − 1 per row (0 for first-order). */
  interior: number;
}

/** `splits`: Simpson intervals per row (2 for simpson; for adaptive, those of the rows measured). */
export function gradientCount(method: Method, rows: number, ranges: number, splits: number): GradientCount {
  return { endpoint: rows + ranges, interior: method === 'first-order' ? 0 : rows * (splits - 1) };
}

export interface GradientSeconds {
  /** The first evaluation of a process (kernel compilation, warm-up), paid once per process. */
  first: number;
  endpoint: number;
  interior: number;
}

/**
 * How many steady gradients a cost estimate times: one under a shared load can be off by half (a
 * neighbour's job starts or stops), so cheap gradients are timed up to SAMPLES times each and the
 * median taken; expensive ones (LeNet's full-data gradient takes minutes) stop once a kind's timings
 * pass SAMPLE_SECONDS, after at least one.
 */
export const SAMPLES = 5;
export const SAMPLE_SECONDS = 10;

/** Whether to time one more gradient of a kind, given the seconds of those timed so far. */
export const wantsSample = (timed: readonly number[]): boolean =>
  timed.length === 0 || (timed.length < SAMPLES && timed.reduce((a, b) => a + b, 0) < SAMPLE_SECONDS);

/** The median (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Seconds of the compute loop: the first evaluation at its own price, the rest at the steady prices. */
export const loopSeconds = (count: GradientCount, s: GradientSeconds): number =>
  count.endpoint + count.interior === 0 ? 0 : s.first + (count.endpoint - 1) * s.endpoint + count.interior * s.interior;

/** Bytes of the parts: per row its scalars and float32 vectors, per part file its schema and footer. */
export function partBytes(rows: number, parts: number, rowBytes: number, perPart: number): number {
  return rows * rowBytes + parts * perPart;
}

/** Parts a range of `rows` rows is written in. */
export const partCount = (ranges: readonly (readonly [number, number])[], partSize: number): number =>
  ranges.reduce((n, [a, b]) => n + Math.ceil((b - a + 1) / partSize), 0);
