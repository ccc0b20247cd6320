// Heavy tails of the LCA values (paper Section 3, "Learning is heavy-tailed"; Fig. S10): the share
// of Σ|LCA| from values beyond c·σ against a Gaussian's share, and Weibull fits of |LCA| for helping
// and hurting values on a seeded reservoir sample. Two streaming passes: σ first, then the tails.
import { RandomState } from '../data/mt19937.js';
import type { Selection } from './groups.js';
import type { Fold, LcaRow } from './rows.js';
import { fitWeibull, type WeibullFit } from './weibull.js';

/** Pass 1: σ = √(Σx² / n) over the non-zero values: a zero-mean Gaussian with the same second moment. */
export function secondMomentFold({ variables }: Selection): Fold<{ sigma: number; nonzero: number }> {
  let sumSq = 0;
  let nonzero = 0;
  return {
    add(row: LcaRow) {
      for (let k = 0; k < variables.length; k++) {
        const values = row.variable(k);
        for (let i = 0; i < values.length; i++) {
          const x = values[i];
          sumSq += x * x;
          nonzero += +(x !== 0);
        }
      }
    },
    result: () => ({ sigma: Math.sqrt(sumSq / Math.max(1, nonzero)), nonzero }),
  };
}

/** For X ~ N(0, σ²): E[|X|; |X| > cσ] / E|X| = φ(c)/φ(0) = exp(−c²/2). */
export const gaussianTailShare = (c: number): number => Math.exp((-c * c) / 2);

export interface TailRow {
  cutoff: number; // c, in units of σ
  values: number; // how many |x| > cσ
  fraction_of_values: number;
  share: number; // Σ|x| over |x| > cσ / Σ|x|
  gaussian_share: number;
  ratio: number; // share / gaussian_share
}

export interface TailsResult {
  sigma: number;
  nonzero: number;
  tails: TailRow[];
  sampleSize: number;
  helped: WeibullFit; // fit of |x| for x < 0 in the sample
  hurt: WeibullFit;
}

/**
 * Algorithm L (Li 1994) reservoir of `size` elements over the whole stream, zeros included: it
 * needs a random draw only per replacement, not per element. Returns the sampled values.
 */
export function reservoir(size: number, seed: number) {
  const random = new RandomState(seed);
  const u = () => 1 - random.randomDouble(); // (0, 1]
  const sample = new Float64Array(size);
  let filled = 0;
  let seen = 0;
  let w = Math.exp(Math.log(u()) / size);
  let next = size + Math.floor(Math.log(u()) / Math.log(1 - w));
  return {
    add(values: Float32Array) {
      let i = 0;
      while (filled < size && i < values.length) sample[filled++] = values[i++];
      const end = seen + values.length;
      while (next < end) {
        sample[random.randomInterval(size - 1)] = values[next - seen];
        w *= Math.exp(Math.log(u()) / size);
        next += Math.floor(Math.log(u()) / Math.log(1 - w)) + 1;
      }
      seen = end;
    },
    values: () => sample.subarray(0, filled),
  };
}

/** Tail cutoffs in units of σ. */
export const TAIL_CUTOFFS = [1, 2, 3, 4] as const;

export function tailsFold({ variables }: Selection, sigma: number, nonzero: number, options: { sampleSize: number; seed: number }): Fold<TailsResult> {
  const cutoffs = TAIL_CUTOFFS;
  const beyondSum = new Float64Array(cutoffs.length);
  const beyondCount = new Float64Array(cutoffs.length);
  const limits = cutoffs.map((c) => c * sigma);
  let sumAbs = 0;
  const sample = reservoir(options.sampleSize, options.seed);
  return {
    add(row: LcaRow) {
      for (let k = 0; k < variables.length; k++) {
        const values = row.variable(k);
        sample.add(values);
        // One branch-free pass per variable; the four cutoffs unrolled into locals.
        const [l1, l2, l3, l4] = limits;
        let total = 0;
        let s1 = 0, s2 = 0, s3 = 0, s4 = 0, n1 = 0, n2 = 0, n3 = 0, n4 = 0;
        for (let i = 0; i < values.length; i++) {
          const a = Math.abs(values[i]);
          total += a;
          const b1 = +(a > l1), b2 = +(a > l2), b3 = +(a > l3), b4 = +(a > l4);
          s1 += b1 * a; s2 += b2 * a; s3 += b3 * a; s4 += b4 * a;
          n1 += b1; n2 += b2; n3 += b3; n4 += b4;
        }
        [s1, s2, s3, s4].forEach((v, c) => (beyondSum[c] += v));
        [n1, n2, n3, n4].forEach((v, c) => (beyondCount[c] += v));
        sumAbs += total;
      }
    },
    result() {
      const values = sample.values();
      return {
        sigma,
        nonzero,
        tails: cutoffs.map((c, j) => {
          const share = beyondSum[j] / sumAbs;
          return { cutoff: c, values: beyondCount[j], fraction_of_values: beyondCount[j] / nonzero, share, gaussian_share: gaussianTailShare(c), ratio: share / gaussianTailShare(c) };
        }),
        sampleSize: values.length,
        helped: fitWeibull(values.filter((x) => x < 0).map((x) => -x)),
        hurt: fitWeibull(values.filter((x) => x > 0)),
      };
    },
  };
}
