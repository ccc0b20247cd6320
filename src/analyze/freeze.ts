// When each layer "stopped learning" (the paper's Section 4 and future work): the iteration from
// which its per-iteration LCA stays inside a band around zero, what it still contributed after that,
// and the training FLOPs freezing it there would have saved. Definitions: docs/analysis.md, `freeze`.

/** Gradient FLOPs of one layer for one example: what freezing it certainly saves, and at most. */
export interface LayerCost {
  /** The gradient of its own parameters (2 per multiply-add of a kernel; 1 per bias or β element). */
  parameterGradient: number;
  /** Plus the gradient through it to its input, saved only when nothing below it trains either. */
  withInputGradient: number;
}

export interface FreezeInput {
  layers: string[];
  /** Each row's first iteration, and the iterate after the last row: a row spans the iterations up to the next (--every). */
  iterations: number[];
  end: number;
  /** series[g][t]: layer g's LCA at row t, [G][T]. */
  series: Float64Array[];
  costs: LayerCost[];
  batchSize: number;
  /** Forward + backward FLOPs of a whole training step per example. */
  stepFlopsPerExample: number;
  /** The band's half-width as a fraction of the mean |Σ_g series[g][t]| over the rows. */
  band: number;
}

export interface LayerFreeze {
  name: string;
  /** First row from which every |LCA| of the layer is ≤ ε; null when its last row is outside. */
  frozenFrom: number | null;
  iterationsFrozen: number;
  lca: number;
  lcaAfter: number; // Σ of the layer's LCA over the rows from frozenFrom on
  flopsSaved: number;
  flopsSavedMax: number;
}

export interface FreezeResult {
  epsilon: number;
  total: number;
  trainingFlops: number;
  layers: LayerFreeze[];
}

export function freezePoints(input: FreezeInput): FreezeResult {
  const { series, iterations } = input;
  const T = iterations.length;
  let meanAbs = 0;
  let total = 0;
  for (let t = 0; t < T; t++) {
    const sum = series.reduce((a, s) => a + s[t], 0);
    meanAbs += Math.abs(sum) / T;
    total += sum;
  }
  const epsilon = input.band * meanAbs;
  const layers = input.layers.map((name, g): LayerFreeze => {
    const x = series[g];
    let from = T; // rows from..T−1 are all inside the band
    while (from > 0 && Math.abs(x[from - 1]) <= epsilon) from--;
    let lca = 0;
    let lcaAfter = 0;
    for (let t = 0; t < T; t++) {
      lca += x[t];
      if (t >= from) lcaAfter += x[t];
    }
    const frozen = from < T ? input.end - iterations[from] : 0; // iterations, not rows: a row may be a block (--every)
    const steps = frozen * input.batchSize;
    return {
      name, frozenFrom: from < T ? iterations[from] : null, iterationsFrozen: frozen, lca, lcaAfter,
      flopsSaved: steps * input.costs[g].parameterGradient, flopsSavedMax: steps * input.costs[g].withInputGradient,
    };
  });
  const trained = T > 0 ? input.end - iterations[0] : 0;
  return { epsilon, total, trainingFlops: trained * input.batchSize * input.stepFlopsPerExample, layers };
}
