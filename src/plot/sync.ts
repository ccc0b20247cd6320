// Fig. 6 / S17 from the `sync` report: each layer's top moments of learning (strict local minima of
// its LCA curve) as dots over iterations; iterations where every layer peaks are highlighted red.
import { HURT_COLOR } from './colors.js';
import { num, title, type Figure } from './figure.js';
import { layerBands, layerY } from './layer-axis.js';
import type { VlSpec } from './render.js';
import { tableRows, type FigureSource } from './source.js';

export async function syncFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('sync');
  const rows = tableRows(report, 'peaks');
  const peaks = rows.map((p) => ({ ...p, kind: p.synchronized ? 'synchronized (all layers)' : 'moment of learning' }));
  const synchronized = tableRows(report, 'synchronized');
  // The paper orders layers from bottom (first) to top (last): reverse the report's order for y.
  const layers = [...new Set(rows.map((p) => p.layer as string))].reverse();
  const s = report.summary;
  const [first, last] = source.range;
  const x = { field: 'iteration', type: 'quantitative', title: 'iteration t', scale: { domain: [first, last], nice: false } };
  const spec: VlSpec = {
    title: title('Fig. 6 — moments of learning per layer, synchronized ones in red', source,
      `top ${s.top} local minima of each layer's LCA curve (first layer at the bottom); ${s.synchronized} iterations where all ${s.layers} layers peak; random-shift baseline ${num(s.baseline_mean)} ± ${num(s.baseline_std)} (${s.draws} draws), p = ${num(s.p_value)}`),
    width: 720,
    height: { step: layerBands(layers.length).step },
    layer: [
      {
        data: { values: synchronized },
        mark: { type: 'rule', color: HURT_COLOR, opacity: 0.35, strokeWidth: 2 },
        encoding: { x },
      },
      {
        data: { values: peaks },
        mark: { type: 'point', filled: true, opacity: 1 },
        encoding: {
          x,
          y: layerY(layers, 'layer'),
          color: { field: 'kind', type: 'nominal', scale: { domain: ['moment of learning', 'synchronized (all layers)'], range: ['#333333', HURT_COLOR] }, legend: { title: null, orient: 'top', labelLimit: 300 } },
          size: { condition: { test: 'datum.synchronized == 1', value: 70 }, value: 30 },
          tooltip: [{ field: 'layer' }, { field: 'iteration' }, { field: 'rank' }, { field: 'lca', format: '.4e' }],
        },
      },
    ],
  };
  return { name: 'sync', spec };
}
