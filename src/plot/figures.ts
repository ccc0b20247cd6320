// The figure families by name: `lca plot --figure NAME` and the HTML report both go through here.
import type { Figure, FigureOptions } from './figure.js';
import { groundingFigure } from './grounding.js';
import { heatmapFigure } from './heatmap.js';
import { fractionHelpedFigure, helpedFigure, layerHelpedFigure, lcaDistributionFigure } from './helped.js';
import { layerCurvesFigure, layersFigure } from './layers.js';
import { overfittingFigure } from './overfitting.js';
import { syncFigure } from './sync.js';
import type { FigureSource } from './source.js';
import type { FigureName } from './names.js';

export { FIGURES, type FigureName } from './names.js';


const BUILDERS: Record<FigureName, (source: FigureSource, options: FigureOptions) => Promise<Figure>> = {
  heatmap: heatmapFigure,
  helped: helpedFigure,
  'fraction-helped': fractionHelpedFigure,
  'lca-distribution': lcaDistributionFigure,
  'layer-helped': layerHelpedFigure,
  layers: layersFigure,
  'layer-curves': layerCurvesFigure,
  sync: syncFigure,
  grounding: groundingFigure,
  overfitting: overfittingFigure,
};

export const buildFigure = (name: FigureName, source: FigureSource, options: FigureOptions = {}): Promise<Figure> => BUILDERS[name](source, options);
