// Fig. 4 and the Section 5 curves from the `layers` report: total LCA per layer (negative = the
// layer helped), and each layer's LCA per iteration with its running sum.
import { HELPED_COLOR, HURT_COLOR } from './colors.js';
import { num, title, type Figure } from './figure.js';
import { layerBands, layerY } from './layer-axis.js';
import type { VlSpec } from './render.js';
import { tableRows, type FigureSource } from './source.js';

export async function layersFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('layers');
  const rows = tableRows(report, 'layers');
  const order = rows.map((l) => l.layer as string);
  const layers = rows.map((l) => ({ ...l, effect: l.hurt ? 'hurt (LCA > 0)' : 'helped (LCA < 0)' }));
  const lcas = rows.map((l) => l.lca as number);
  const padded = [Math.min(0, ...lcas) * 1.25, Math.max(0, ...lcas) * 1.25]; // room for the labels
  // Horizontal bars, first layer at the top: one band per layer keeps 41 (ResNet-20) or 100 layers legible.
  const y = layerY(order, 'layer (kernel and bias merged)');
  const x = { field: 'lca', type: 'quantitative', title: 'total LCA (nats)', scale: { domain: padded } };
  const spec: VlSpec = {
    title: title('Fig. 4 — LCA summed over training, per layer', source,
      `total ${num(report.summary.total_lca)} nats; ${report.summary.layers_hurt} layer(s) hurt overall; labels: share of the total. One run: no error bars`),
    width: 560,
    height: { step: layerBands(order.length).step },
    data: { values: layers },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x,
          color: { field: 'effect', type: 'nominal', scale: { domain: ['helped (LCA < 0)', 'hurt (LCA > 0)'], range: [HELPED_COLOR, HURT_COLOR] }, legend: { title: null, orient: 'top' } },
          tooltip: [{ field: 'layer' }, { field: 'lca', format: '.5f' }, { field: 'share', format: '.2%' }, { field: 'parameters' }],
        },
      },
      // Share labels just beyond each bar's end: left of a bar that helped, right of one that hurt.
      ...[['datum.lca <= 0', 'right', -3], ['datum.lca > 0', 'left', 3]].map(([test, align, dx]) => ({
        transform: [{ filter: test }],
        mark: { type: 'text', align, dx, baseline: 'middle', fontSize: layerBands(order.length).labelFontSize },
        encoding: { y, x: { field: 'lca', type: 'quantitative' }, text: { field: 'share', format: '.1%' } },
      })),
      { data: { values: [{ x: 0 }] }, mark: { type: 'rule', color: '#333' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    ],
  };
  return { name: 'layers', spec };
}

// tableau10 has 10 colours: beyond that, curves would share colours and the legend would overflow.
const CURVES = 10;

type Row = Record<string, unknown>;

/** Per-iteration layer rows with all but the `keep` layers of largest |total LCA| summed into one "other" curve. */
export function groupSmallLayers(rows: Row[], totals: Row[], keep = CURVES - 1): { rows: Row[]; order: string[] } {
  const order = totals.map((l) => l.layer as string);
  if (order.length <= keep + 1) return { rows, order };
  const kept = new Set([...totals].sort((a, b) => Math.abs(b.lca as number) - Math.abs(a.lca as number)).slice(0, keep).map((l) => l.layer as string));
  const other = `other ${order.length - keep} layers (summed)`;
  const sums = new Map<number, { lca: number; cumulative_lca: number }>();
  const out: Row[] = [];
  for (const r of rows) {
    if (kept.has(r.layer as string)) {
      out.push(r);
      continue;
    }
    const sum = sums.get(r.iteration as number) ?? { lca: 0, cumulative_lca: 0 };
    sum.lca += r.lca as number;
    sum.cumulative_lca += r.cumulative_lca as number;
    sums.set(r.iteration as number, sum);
  }
  for (const [iteration, sum] of sums) out.push({ iteration, layer: other, ...sum });
  return { rows: out, order: [...order.filter((l) => kept.has(l)), other] };
}

export async function layerCurvesFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('layers');
  const totals = tableRows(report, 'layers');
  const { rows, order } = groupSmallLayers(tableRows(report, 'iterations'), totals);
  const grouped = order.length < totals.length ? `; the ${CURVES - 1} layers of largest |total LCA| are drawn, the other ${totals.length - CURVES + 1} summed into one curve` : '';
  const curve = (field: string, yTitle: string): VlSpec => ({
    width: 720,
    height: 220,
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: 'iteration t', scale: { nice: false } },
      y: { field, type: 'quantitative', title: yTitle },
      color: { field: 'layer', type: 'nominal', sort: order, title: 'layer', scale: { scheme: 'tableau10' }, legend: { labelLimit: 260 } },
      tooltip: [{ field: 'iteration' }, { field: 'layer' }, { field: 'lca', format: '.4e' }, { field: 'cumulative_lca', format: '.4f' }],
    },
  });
  const spec: VlSpec = {
    title: title('Per-layer LCA per iteration and its running sum', source, `negative = the layer lowered the loss at that iteration; the running sums add up to the total loss change${grouped}`),
    data: { values: rows },
    vconcat: [curve('lca', 'layer LCA at iteration t (nats)'), curve('cumulative_lca', 'cumulative layer LCA (nats)')],
  };
  return { name: 'layer-curves', spec };
}
