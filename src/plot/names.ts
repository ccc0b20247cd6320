// The figure names and their one-line help, without importing any figure code (`lca --help` stays fast).
import type { Store } from '../lca/aggregate.js';

export const FIGURES = ['heatmap', 'helped', 'fraction-helped', 'lca-distribution', 'layer-helped', 'layers', 'layer-curves', 'sync', 'grounding', 'overfitting'] as const;
export type FigureName = (typeof FIGURES)[number];

/** The least each figure needs of the stored LCA (`lca compute --store`): per-parameter figures need every parameter. */
export const FIGURE_NEEDS: Record<FigureName, Store> = {
  heatmap: 'full', helped: 'full', 'fraction-helped': 'full', 'lca-distribution': 'full', 'layer-helped': 'full',
  layers: 'layers', 'layer-curves': 'layers', sync: 'layers', grounding: 'layers', overfitting: 'layers',
};

export const FIGURE_HELP: Record<FigureName, string> = {
  heatmap: "Fig. 2: a layer's per-parameter LCA (--layer, --iteration or --iterations, --clip; --animate a:b for a GIF/MP4)",
  helped: 'Fig. 3a: % of parameters helping, hurting, and zero (not moved, or moved with a zero gradient) per iteration, with the loss',
  'fraction-helped': 'Fig. 3d: histogram of the fraction of iterations each parameter helped',
  'lca-distribution': 'Fig. 3b: distribution of non-zero per-parameter LCA values',
  'layer-helped': 'Fig. 3c: % of parameters helping, per layer',
  layers: "Fig. 4: total LCA per layer (several --run: mean ± std; --vs: two groups with Welch's p)",
  'layer-curves': 'per-layer LCA per iteration and its running sum',
  sync: 'Fig. 6: moments of learning per layer, synchronized ones highlighted',
  grounding: 'loss rebuilt from the summed LCA vs the real loss, and the per-iteration error',
  overfitting: 'training vs validation loss and per-layer validation LCA, steps that helped training but hurt validation marked (needs compute --val)',
};
