// Fig. 4 and the Section 5 curves from the `layers` report: total LCA per layer (negative = the
// layer helped), and each layer's LCA per iteration with its running sum.
import { HELPED_COLOR, HURT_COLOR } from './colors.js';
import { num, title, type Figure } from './figure.js';
import { layerBands, layerY } from './layer-axis.js';
import type { VlSpec } from './render.js';
import { tableRows, type FigureSource } from './source.js';

const WIDTH = 560;
/** Upper bound of a label character's width in em (DejaVu Sans: digits 0.64, '%' 0.95, '.' 0.32). */
const LABEL_EM = 0.7;
/** Pixels between a bar's end and its label's far side: the label's 3 px offset and a 4 px gap to the frame. */
const LABEL_GAP = 7;

/**
 * The x domain that leaves room beyond every bar for its share label (helped and zero bars: left of
 * the bar; hurt bars: right), however long: a share of 2,500 % (ResNet's layers cancel, so the total is
 * small) needs more room than a fixed 25 % margin gave, and its label ran into the y axis.
 */
export function labelledDomain(lcas: readonly number[], labels: readonly string[], fontSize: number, width = WIDTH): [number, number] {
  const lo = Math.min(0, ...lcas);
  const hi = Math.max(0, ...lcas);
  if (hi === lo) return [-1, 1];
  const need = (side: (lca: number) => boolean) => Math.max(0, ...lcas.map((lca, i) => (side(lca) ? labels[i].length * LABEL_EM * fontSize + LABEL_GAP : 0)));
  const [left, right] = [need((lca) => lca <= 0), need((lca) => lca > 0)];
  // Pixels per nat = width / span, and the span grows by the margins it must hold: solve for it.
  const span = (hi - lo) / (1 - Math.min(0.6, (left + right) / width));
  return [lo - (left / width) * span, hi + (right / width) * span];
}

const shareLabel = (share: number) => `${(100 * share).toFixed(1)}%`; // as vega's '.1%' writes it

export async function layersFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('layers');
  const rows = tableRows(report, 'layers');
  const order = rows.map((l) => l.layer as string);
  const layers = rows.map((l) => ({ ...l, effect: l.hurt ? 'hurt (LCA > 0)' : 'helped (LCA < 0)' }));
  const { labelFontSize } = layerBands(order.length);
  const padded = labelledDomain(rows.map((l) => l.lca as number), rows.map((l) => shareLabel(l.share as number)), labelFontSize);
  // Horizontal bars, first layer at the top: one band per layer keeps 41 (ResNet-20) or 100 layers legible.
  const y = layerY(order, 'layer (kernel and bias merged)');
  const x = { field: 'lca', type: 'quantitative', title: 'total LCA (nats)', scale: { domain: padded } };
  const spec: VlSpec = {
    title: title('Fig. 4 — LCA summed over training, per layer', source,
      `total ${num(report.summary.total_lca)} nats; ${report.summary.layers_hurt} layer(s) hurt overall; labels: share of the total. One run: no error bars`),
    width: WIDTH,
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
        mark: { type: 'text', align, dx, baseline: 'middle', fontSize: labelFontSize },
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
