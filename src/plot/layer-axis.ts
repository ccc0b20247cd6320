// One band per layer, down the page: figures with a layer axis stay legible from 1 to 100+ layers
// (ResNet-20 has 41). Bands shrink to fit a bounded height and the label font shrinks with them,
// so labels never overlap and the image never grows past ~MAX_HEIGHT pixels (before PNG scaling).

export const MAX_HEIGHT = 1100;
const [MIN_STEP, MAX_STEP] = [11, 24];

export interface LayerBands {
  /** Pixels per layer band. */
  step: number;
  /** Axis label font size: smaller than the band, so neighbouring labels do not touch. */
  labelFontSize: number;
}

export function layerBands(layers: number): LayerBands {
  const step = Math.max(MIN_STEP, Math.min(MAX_STEP, Math.floor(MAX_HEIGHT / Math.max(1, layers))));
  return { step, labelFontSize: Math.min(11, step - 2) };
}

/** A vega-lite y encoding for a layer axis in the given order, top to bottom. */
export function layerY(order: string[], title: string): Record<string, unknown> {
  const { labelFontSize } = layerBands(order.length);
  return { field: 'layer', type: 'nominal', sort: order, title, axis: { labelFontSize, labelLimit: 220, grid: false } };
}
