// An exact one-pass histogram of LCA values in power-of-two magnitude bins on each side of zero,
// so zero is always a bin edge (the original aligns linear bins to zero, `align_bins_zero`, §8.2;
// octaves need no first pass for the range and resolve the heavy tails of paper Fig. 3b).

/** Bins indexed by the float32's sign and exponent bits: index = bits >>> 23, 512 in all. */
export const BINS = 512;

export interface ValueHistogram {
  counts: Float64Array; // [512]
  sums: Float64Array; // [512] Σ of the values in each bin
  /** Exact +0 and −0: counted as they stream by in bins 0 and 256, taken out by `withoutZeros`. */
  positiveZeros: number;
  negativeZeros: number;
}

export const emptyHistogram = (): ValueHistogram => ({ counts: new Float64Array(BINS), sums: new Float64Array(BINS), positiveZeros: 0, negativeZeros: 0 });

/** Exact zeros (no move, or a zero gradient) are not values of the distribution (Fig. 3b ignores zeros). */
export function withoutZeros(h: ValueHistogram): ValueHistogram {
  const counts = h.counts.slice();
  counts[0] -= h.positiveZeros;
  counts[256] -= h.negativeZeros;
  return { ...h, counts, positiveZeros: 0, negativeZeros: 0 };
}

export interface HistogramBin {
  lower: number;
  upper: number;
  count: number;
  lca: number;
}

/** Magnitude interval of exponent field e: [2^(e−127), 2^(e−126)); e = 0 holds subnormals, [0, 2^-126). */
const magnitudeBounds = (e: number): [number, number] => [e === 0 ? 0 : 2 ** (e - 127), 2 ** (e - 126)];

/** Non-empty bins in increasing value order, helping (negative) first; zeros, infinities and NaN are left out. */
export function histogramBins(histogram: ValueHistogram): HistogramBin[] {
  const h = withoutZeros(histogram);
  const bins: HistogramBin[] = [];
  for (let e = 254; e >= 0; e--) {
    const [lo, hi] = magnitudeBounds(e);
    if (h.counts[256 + e] > 0) bins.push({ lower: -hi, upper: -lo, count: h.counts[256 + e], lca: h.sums[256 + e] });
  }
  for (let e = 0; e <= 254; e++) {
    const [lo, hi] = magnitudeBounds(e);
    if (h.counts[e] > 0) bins.push({ lower: lo, upper: hi, count: h.counts[e], lca: h.sums[e] });
  }
  return bins;
}
