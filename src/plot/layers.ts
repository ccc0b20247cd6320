// Fig. 4 and the Section 5 curves from the `layers` report: total LCA per layer (negative = the
// layer helped), and each layer's LCA per iteration with its running sum.
import { HELPED_COLOR, HURT_COLOR } from './colors.js';
import { num, title, type Figure } from './figure.js';
import type { VlSpec } from './render.js';
import { tableRows, type FigureSource } from './source.js';

export async function layersFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('layers');
  const rows = tableRows(report, 'layers');
  const order = rows.map((l) => l.layer as string);
  const layers = rows.map((l) => ({ ...l, effect: l.hurt ? 'hurt (LCA > 0)' : 'helped (LCA < 0)' }));
  const lcas = rows.map((l) => l.lca as number);
  const padded = [Math.min(0, ...lcas) * 1.12, Math.max(0, ...lcas) * 1.12]; // room for the labels
  const x = { field: 'layer', type: 'nominal', sort: order, title: 'layer (kernel and bias merged)' };
  const spec: VlSpec = {
    title: title('Fig. 4 — LCA summed over training, per layer', source,
      `total ${num(report.summary.total_lca)} nats; ${report.summary.layers_hurt} layer(s) hurt overall; labels: share of the total. One run: no error bars`),
    width: Math.max(420, 70 * layers.length),
    height: 300,
    data: { values: layers },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x,
          y: { field: 'lca', type: 'quantitative', title: 'total LCA (nats)', scale: { domain: padded } },
          color: { field: 'effect', type: 'nominal', scale: { domain: ['helped (LCA < 0)', 'hurt (LCA > 0)'], range: [HELPED_COLOR, HURT_COLOR] }, legend: { title: null, orient: 'top' } },
          tooltip: [{ field: 'layer' }, { field: 'lca', format: '.5f' }, { field: 'share', format: '.2%' }, { field: 'parameters' }],
        },
      },
      // Share labels just beyond each bar's end: below a bar that helped, above one that hurt.
      ...[['datum.lca <= 0', 'top', 4], ['datum.lca > 0', 'bottom', -4]].map(([test, baseline, dy]) => ({
        transform: [{ filter: test }],
        mark: { type: 'text', baseline, dy },
        encoding: { x, y: { field: 'lca', type: 'quantitative' }, text: { field: 'share', format: '.1%' } },
      })),
      { data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#333' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
    ],
  };
  return { name: 'layers', spec };
}

export async function layerCurvesFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('layers');
  const rows = tableRows(report, 'iterations');
  const order = tableRows(report, 'layers').map((l) => l.layer as string);
  const curve = (field: string, yTitle: string): VlSpec => ({
    width: 720,
    height: 220,
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: 'iteration t', scale: { nice: false } },
      y: { field, type: 'quantitative', title: yTitle },
      color: { field: 'layer', type: 'nominal', sort: order, title: 'layer', scale: { scheme: 'tableau10' } },
      tooltip: [{ field: 'iteration' }, { field: 'layer' }, { field: 'lca', format: '.4e' }, { field: 'cumulative_lca', format: '.4f' }],
    },
  });
  const spec: VlSpec = {
    title: title('Per-layer LCA per iteration and its running sum', source, 'negative = the layer lowered the loss at that iteration; the running sums add up to the total loss change'),
    data: { values: rows },
    vconcat: [curve('lca', 'layer LCA at iteration t (nats)'), curve('cumulative_lca', 'cumulative layer LCA (nats)')],
  };
  return { name: 'layer-curves', spec };
}
