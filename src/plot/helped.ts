// Fig. 3a–d from the `helped` report: parameters helping/hurting/zero per iteration with the loss,
// the distribution of LCA values, the per-layer percent helping, and the iterations-helped histogram.
import { HELPED_COLOR, HURT_COLOR } from './colors.js';
import { num, title, type Figure } from './figure.js';
import { layerBands, layerY } from './layer-axis.js';
import type { VlSpec } from './render.js';
import { tableRows, type FigureSource } from './source.js';

const ZERO_GREY = '#bdbdbd';
const MOVED_ZERO_BLUE = '#74add1';

/** The stacked areas of Fig. 3a: exact zeros split into "did not move" and "moved, zero gradient" when the run's weights told them apart. */
function effectAreas(rows: Record<string, unknown>[]): { areas: Record<string, unknown>[]; effects: string[]; colors: string[] } {
  const split = rows.length > 0 && rows.every((r) => typeof r.not_moved === 'number');
  const effects = split ? ['helped', 'hurt', 'did not move', 'moved, zero gradient'] : ['helped', 'hurt', 'zero'];
  const colors = split ? [HELPED_COLOR, HURT_COLOR, ZERO_GREY, MOVED_ZERO_BLUE] : [HELPED_COLOR, HURT_COLOR, ZERO_GREY];
  const areas = rows.flatMap((r) => {
    const counts = [r.helped, r.hurt, ...(split ? [r.not_moved, r.moved_zero_gradient] : [r.zero])] as number[];
    const parameters = (r.helped as number) + (r.hurt as number) + (r.zero as number);
    return effects.map((effect, order) => ({ iteration: r.iteration, effect, order, percent: (100 * counts[order]) / parameters }));
  });
  return { areas, effects, colors };
}

export async function helpedFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('helped');
  const series = await source.series();
  const { areas, effects, colors } = effectAreas(tableRows(report, 'iterations'));
  // L(θ_t) for t = first … last + 1: the loss before each row, then after the last one.
  const loss = series.iteration.map((t, k) => ({ iteration: t, loss: series.loss[k] }));
  if (series.iteration.length > 0) loss.push({ iteration: series.iteration[series.iteration.length - 1] + 1, loss: series.nextLoss[series.nextLoss.length - 1] });
  const s = report.summary;
  const spec: VlSpec = {
    title: title('Fig. 3a — parameters helping, hurting and with exactly zero LCA, per iteration', source,
      `helped ${num(s.percent_helped)}% of moving parameters over the run (Table 1: mean helped / (mean helped + mean hurt)); mean per iteration: ${num(s.mean_percent_helped)}% helped, ${num(s.mean_percent_hurt)}% hurt, ${num(s.mean_percent_zero)}% zero` +
      (s.mean_percent_not_moved === null ? ' (the run has no weights to tell unmoved parameters apart)' : ` = ${num(s.mean_percent_not_moved)}% did not move + ${num(s.mean_percent_moved_zero_gradient)}% moved with an exactly zero gradient`)),
    width: 720,
    height: 320,
    layer: [
      {
        data: { values: areas },
        mark: { type: 'area', interpolate: 'step-after' },
        encoding: {
          x: { field: 'iteration', type: 'quantitative', title: 'iteration t', scale: { nice: false } },
          y: { field: 'percent', type: 'quantitative', stack: 'zero', title: 'parameters (%)', scale: { domain: [0, 100] } },
          color: { field: 'effect', type: 'nominal', sort: effects, scale: { domain: effects, range: colors }, legend: { title: null, orient: 'top', labelLimit: 240 } },
          order: { field: 'order' },
          tooltip: [{ field: 'iteration' }, { field: 'effect' }, { field: 'percent', format: '.2f' }],
        },
      },
      {
        data: { values: loss },
        mark: { type: 'line', color: 'black', strokeWidth: 2 },
        encoding: {
          x: { field: 'iteration', type: 'quantitative' },
          y: { field: 'loss', type: 'quantitative', title: 'training loss L(θ_t) (nats, black line)', scale: { zero: false }, axis: { orient: 'right', grid: false } },
          tooltip: [{ field: 'iteration' }, { field: 'loss', format: '.4f' }],
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
  return { name: 'helped', spec };
}

export async function fractionHelpedFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('helped');
  const s = report.summary;
  const spec: VlSpec = {
    title: title('Fig. 3d — fraction of iterations each parameter helped', source,
      `mean ${num(s.mean_percent_iterations_helped)}%, std ${num(s.std_percent_iterations_helped)}% over ${s.parameters} parameters (those that never moved are in the 0% bin)`),
    width: 640,
    height: 300,
    data: { values: tableRows(report, 'iterations_helped') },
    mark: { type: 'bar', color: '#4c78a8', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'percent_from', bin: 'binned', type: 'quantitative', title: 'iterations in which the parameter helped (%)', scale: { domain: [0, 100] } },
      x2: { field: 'percent_to' },
      y: { field: 'parameters', type: 'quantitative', title: 'parameters' },
      tooltip: [{ field: 'percent_from', title: 'from %' }, { field: 'percent_to', title: 'to %' }, { field: 'parameters' }],
    },
  };
  return { name: 'fraction-helped', spec };
}

/**
 * The report bins non-zero LCA in powers of two either side of zero, so a linear signed histogram
 * (the paper's Fig. 3b) cannot be drawn from it; instead both sides share a log |LCA| axis, helped
 * and hurt mirrored about one zero line. Bins below the magnitude under which 0.1% of the values lie are left out
 * (they reach down to float32 subnormals), as Fig. 3b zooms past its tails.
 */
export async function lcaDistributionFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('helped');
  const bins = tableRows(report, 'distribution')
    .filter((b) => (b.count as number) > 0)
    .map((b) => {
      const [lo, hi] = [Math.abs(b.lower as number), Math.abs(b.upper as number)].sort((p, q) => p - q);
      return { ...b, fraction: b.fraction as number, lo, hi, side: (b.upper as number) <= 0 ? 'helped (LCA < 0)' : 'hurt (LCA > 0)' };
    })
    .sort((a, b) => a.lo - b.lo);
  let below = 0;
  let cut = 0;
  for (const b of bins) {
    if (below + b.fraction > 0.001) break;
    below += b.fraction;
    cut = b.hi;
  }
  // Helped bars up, hurt bars down from one zero line: nothing overlaps, so each bar keeps its legend colour.
  const shown = bins.filter((b) => b.lo >= cut && b.lo > 0).map((b) => ({ ...b, signed: b.side.startsWith('helped') ? b.fraction : -b.fraction }));
  const spec: VlSpec = {
    title: title('Fig. 3b — distribution of per-parameter, per-iteration LCA (zeros left out)', source,
      `power-of-two bins of |LCA| on a log axis: helping values above the line, hurting values below it; ${num(below * 100)}% of the values, below ${num(cut)} nats, not drawn`),
    width: 720,
    height: 340,
    layer: [
      {
        data: { values: shown },
        mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'lo', bin: 'binned', type: 'quantitative', title: '|LCA| (nats, log scale)', scale: { type: 'log' }, axis: { format: '.0e' } },
          x2: { field: 'hi' },
          y: { field: 'signed', type: 'quantitative', title: 'fraction of non-zero values (helped ↑, hurt ↓)', axis: { labelExpr: "format(abs(datum.value), '.1%')" }, stack: null },
          color: { field: 'side', type: 'nominal', scale: { domain: ['helped (LCA < 0)', 'hurt (LCA > 0)'], range: [HELPED_COLOR, HURT_COLOR] }, legend: { title: null, orient: 'top', labelLimit: 300 } },
          tooltip: [{ field: 'side' }, { field: 'lower', format: '.3e' }, { field: 'upper', format: '.3e' }, { field: 'count' }, { field: 'fraction', format: '.3%' }, { field: 'lca', title: 'Σ LCA in bin (nats)', format: '.4e' }],
        },
      },
      { data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#333' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
    ],
  };
  return { name: 'lca-distribution', spec };
}

export async function layerHelpedFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('helped');
  const layers = tableRows(report, 'layers');
  const order = layers.map((l) => l.layer as string);
  const y = layerY(order, 'layer');
  const x = { field: 'percent_helped', type: 'quantitative', title: 'parameters helping (%)', scale: { domain: [0, 100] } };
  const { step, labelFontSize } = layerBands(order.length);
  const spec: VlSpec = {
    title: title('Fig. 3c — parameters helping, per layer', source, 'percent helped = Σ_t helped / Σ_t (helped + hurt) over the layer (Table 1 per layer, zeros ignored); dashed: 50%'),
    width: 560,
    height: { step },
    layer: [
      {
        data: { values: layers },
        mark: { type: 'bar', color: HELPED_COLOR },
        encoding: { y, x, tooltip: layers.length ? Object.keys(layers[0]).map((field) => ({ field })) : [] },
      },
      {
        data: { values: layers },
        mark: { type: 'text', align: 'left', dx: 3, baseline: 'middle', fontSize: labelFontSize },
        encoding: { y, x, text: { field: 'percent_helped', format: '.1f' } },
      },
      { data: { values: [{ x: 50 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#333' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    ],
  };
  return { name: 'layer-helped', spec };
}
