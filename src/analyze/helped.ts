// Percent of parameters helping (LCA < 0), hurting (> 0) and exactly zero: per iteration and over
// the run (paper Fig. 3a, Table 1), per layer (Fig. 3c), the fraction of iterations each parameter
// helped (Fig. 3d, `iterations_helped_per_param`), and the distribution of LCA values (Fig. 3b);
// original-conventions.md §8.1–8.2.
import type { Selection } from './groups.js';
import { emptyHistogram, type ValueHistogram } from './histogram.js';
import type { Fold, LcaRow } from './rows.js';

export interface HelpedIteration {
  iteration: number;
  helped: number; // counts over all K parameters
  hurt: number;
  zero: number;
}

export interface HelpedLayer {
  name: string;
  parameters: number;
  helped: number; // Σ over iterations of the layer's helping count
  hurt: number;
  zero: number;
}

export interface HelpedResult {
  parameters: number;
  iterations: HelpedIteration[];
  mean_percent_helped: number; // mean over iterations of helped/K, in %
  mean_percent_hurt: number;
  mean_percent_zero: number;
  /** Table 1's statistic: mean helped / (mean helped + mean hurt), zeros ignored, in %. */
  percent_helped: number;
  layers: HelpedLayer[];
  /** Per parameter, the number of iterations it helped, [K]. */
  iterationsHelped: Uint32Array;
  histogram: ValueHistogram;
}

/** Counts x < 0 and x > 0 without a branch per element (half the values take each side). */
export function countSigns(values: Float32Array): { negative: number; positive: number } {
  let negative = 0;
  let positive = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    negative += +(x < 0);
    positive += +(x > 0);
  }
  return { negative, positive };
}

/**
 * countSigns plus, in the same branch-free pass, each parameter's helped-iteration counter
 * (`helpedCount[offset + i]`) and the value histogram (bin = float32 bits >>> 23).
 */
export function scanHelped(values: Float32Array, helpedCount: Uint32Array, offset: number, h: ValueHistogram): { negative: number; positive: number } {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const { counts, sums } = h;
  let negative = 0;
  let positive = 0;
  let positiveZeros = 0;
  let negativeZeros = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const u = bits[i];
    const bin = u >>> 23;
    const neg = +(x < 0);
    negative += neg;
    positive += +(x > 0);
    positiveZeros += +(u === 0);
    negativeZeros += +(u === 0x80000000);
    helpedCount[offset + i] += neg;
    counts[bin] += 1;
    sums[bin] += x;
  }
  h.positiveZeros += positiveZeros;
  h.negativeZeros += negativeZeros;
  return { negative, positive };
}

export function helpedFold({ variables, groups }: Selection): Fold<HelpedResult> {
  const parameters = variables.reduce((n, v) => n + v.size, 0);
  const offsets = variables.map((_, k) => variables.slice(0, k).reduce((n, v) => n + v.size, 0));
  const iterationsHelped = new Uint32Array(parameters);
  const histogram = emptyHistogram();
  const layers: HelpedLayer[] = groups.map((g) => ({ name: g.name, parameters: g.parameters, helped: 0, hurt: 0, zero: 0 }));
  const iterations: HelpedIteration[] = [];
  return {
    add(row: LcaRow) {
      let helped = 0;
      let hurt = 0;
      groups.forEach((g, j) => {
        for (const k of g.members) {
          const counts = scanHelped(row.variable(k), iterationsHelped, offsets[k], histogram);
          layers[j].helped += counts.negative;
          layers[j].hurt += counts.positive;
          layers[j].zero += variables[k].size - counts.negative - counts.positive;
          helped += counts.negative;
          hurt += counts.positive;
        }
      });
      iterations.push({ iteration: row.iteration, helped, hurt, zero: parameters - helped - hurt });
    },
    result() {
      const mean = (pick: (it: HelpedIteration) => number) =>
        iterations.reduce((sum, it) => sum + pick(it), 0) / Math.max(1, iterations.length);
      const [helped, hurt, zero] = [mean((it) => it.helped), mean((it) => it.hurt), mean((it) => it.zero)];
      return {
        parameters,
        iterations,
        mean_percent_helped: (100 * helped) / parameters,
        mean_percent_hurt: (100 * hurt) / parameters,
        mean_percent_zero: (100 * zero) / parameters,
        percent_helped: helped + hurt > 0 ? (100 * helped) / (helped + hurt) : Number.NaN,
        layers,
        iterationsHelped,
        histogram,
      };
    },
  };
}

/**
 * Fig. 3d on the iteration grid: a parameter helped in k of T iterations, k = 0 … T, so bins hold
 * whole runs of k (w values each, at most `maxBins` bins); equal-width percent bins would hold 4 or 5
 * values of k in turn and draw a saw-tooth. Bin b covers k = b·w … and spans [k_from, k_to + 1)/(T+1) × 100 %.
 */
export function iterationsHelpedHistogram(counts: Uint32Array, iterations: number, maxBins = 50): { from: number; to: number; kFrom: number; kTo: number; parameters: number }[] {
  const values = Math.max(1, iterations) + 1; // k = 0 … T
  const width = Math.ceil(values / maxBins);
  const hist = new Float64Array(Math.ceil(values / width));
  for (let i = 0; i < counts.length; i++) hist[Math.floor(Math.min(counts[i], values - 1) / width)]++;
  return Array.from(hist, (n, b) => {
    const [kFrom, kTo] = [b * width, Math.min(values, (b + 1) * width) - 1];
    return { from: (100 * kFrom) / values, to: (100 * (kTo + 1)) / values, kFrom, kTo, parameters: n };
  });
}
