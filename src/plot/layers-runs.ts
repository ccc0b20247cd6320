// Fig. 4 across runs, from the `layers-runs` report (runAcrossRuns; no statistics are computed here):
// each layer's mean total LCA with ±1 std error bars and every run as a dot; with --vs, the two groups
// side by side and Welch's p-value per layer, else the one-sample t-test's p (mean ≠ 0).
import path from 'node:path';
import type { Cell, Report } from '../report/format.js';
import { HELPED_COLOR, HURT_COLOR } from './colors.js';
import { num, subtitle, type Figure } from './figure.js';
import { layerBands, layerY } from './layer-axis.js';
import type { VlSpec } from './render.js';
import { tableRows } from './source.js';

const GROUP_COLORS = ['#4c78a8', '#f58518'];
const base = (runs: Cell) => String(runs ?? '').split(', ').map((r) => path.basename(path.resolve(r))).join(', ');
const value = (v: Cell) => (typeof v === 'number' ? v : null);

/** Bars, error bars and dots of one group: `prefix` '' for the --run group, 'vs_' for the --vs group. */
function groupRows(rows: Record<string, Cell>[], prefix: '' | 'vs_', group: string, runs: number) {
  const bars = rows.map((r) => {
    const mean = value(r[`${prefix}mean`]) ?? Number.NaN;
    const std = value(r[`${prefix}std`]);
    return { layer: r.layer, group, mean, lo: std === null ? null : mean - std, hi: std === null ? null : mean + std, std, n: r[`${prefix}n`],
      effect: mean > 0 ? 'hurt (mean LCA > 0)' : 'helped (mean LCA < 0)' };
  });
  const prefixRun = prefix === '' ? 'run_' : 'vs_';
  const dots = rows.flatMap((r) => Array.from({ length: runs }, (_, i) => ({ layer: r.layer, group, run: i + 1, lca: value(r[`${prefixRun}${i + 1}`]) })));
  return { bars, dots };
}

export function layersRunsFigure(report: Report): Figure {
  const rows = tableRows(report, 'layers');
  const loss = tableRows(report, 'loss').find((r) => r.statistic === 'final_loss');
  const runs = Number(report.summary.runs);
  const vsRuns = Number(report.summary.vs_runs ?? 0);
  const two = vsRuns > 0;
  const groups = two ? [`--run (n = ${runs})`, `--vs (n = ${vsRuns})`] : [`runs (n = ${runs})`];
  const first = groupRows(rows, '', groups[0], runs);
  const second = two ? groupRows(rows, 'vs_', groups[1], vsRuns) : { bars: [], dots: [] };
  const bars = [...first.bars, ...second.bars];
  const dots = [...first.dots, ...second.dots];
  const order = rows.map((r) => r.layer as string);
  const pField = two ? 'welch_p_value' : 'p_value';
  const labels = rows.map((r) => ({ layer: r.layer, label: `p = ${num(r[pField])}` }));
  const extent = [...bars.flatMap((b) => [b.lo, b.hi, b.mean]), ...dots.map((d) => d.lca)].filter((v): v is number => v !== null && Number.isFinite(v));
  const [lo, hi] = [Math.min(0, ...extent), Math.max(0, ...extent)];
  const domain = [lo - 0.05 * (hi - lo), hi + 0.2 * (hi - lo)]; // headroom for the p-value labels

  // Horizontal bars, one band per layer (two groups: two bars per band), legible up to 100+ layers.
  const bands = layerBands(two ? 2 * order.length : order.length);
  const y = layerY(order, 'layer (kernel and bias merged)');
  const yOffset = two ? { yOffset: { field: 'group', type: 'nominal', sort: groups } } : {};
  const x = { field: 'mean', type: 'quantitative', title: 'total LCA (nats), mean ± std over runs', scale: { domain } };
  const color = two
    ? { field: 'group', type: 'nominal', sort: groups, scale: { domain: groups, range: GROUP_COLORS }, legend: { title: null, orient: 'top', labelLimit: 300 } }
    : { field: 'effect', type: 'nominal', scale: { domain: ['helped (mean LCA < 0)', 'hurt (mean LCA > 0)'], range: [HELPED_COLOR, HURT_COLOR] }, legend: { title: null, orient: 'top', labelLimit: 300 } };
  const lossText = loss
    ? `final training loss ${num(loss.mean)} ± ${num(loss.std)}${two ? ` vs ${num(loss.vs_mean)} ± ${num(loss.vs_std)}, Welch p = ${num(loss.welch_p_value)}` : ''}`
    : '';
  const who = `runs ${base(report.context.run)}${two ? `; vs ${base(report.context.vs)}` : ''}`;
  const where = `${report.context.model} on ${report.context.dataset} · rows ${report.context.range} · LCA computed on ${report.context.compute_backend} (${report.context.method})`;
  const note = two
    ? "bars: mean, error bars: ±1 sample std, dots: each run; labels: Welch's t-test p-value per layer (equal means)"
    : 'bars: mean, error bars: ±1 sample std, dots: each run; labels: one-sample t-test p-value per layer (mean ≠ 0)';

  const spec: VlSpec = {
    title: {
      text: `Fig. 4 — LCA summed over training, per layer, across runs${two ? ': two groups' : ''}`,
      ...subtitle(report.warnings ?? [], [who, where, [lossText, note].filter(Boolean).join('; ')]),
    },
    width: 600,
    height: { step: bands.step * (two ? 2 : 1) },
    layer: [
      {
        data: { values: bars },
        mark: { type: 'bar', opacity: 0.85, height: { band: two ? 0.9 : 0.6 } },
        encoding: {
          y, ...yOffset, x, color,
          tooltip: [{ field: 'layer' }, { field: 'group' }, { field: 'mean', format: '.5f' }, { field: 'std', format: '.5f' }, { field: 'n' }],
        },
      },
      {
        data: { values: bars.filter((b) => b.lo !== null) },
        mark: { type: 'errorbar', ticks: { size: Math.min(14, bands.step - 2) }, color: '#222' },
        encoding: { y, ...yOffset, x: { field: 'lo', type: 'quantitative', title: x.title }, x2: { field: 'hi' } },
      },
      {
        data: { values: dots.filter((d) => d.lca !== null) },
        mark: { type: 'point', filled: true, size: 22, color: '#222', opacity: 0.8 },
        encoding: { y, ...yOffset, x: { field: 'lca', type: 'quantitative' }, tooltip: [{ field: 'layer' }, { field: 'group' }, { field: 'run' }, { field: 'lca', format: '.5f' }] },
      },
      {
        data: { values: labels },
        mark: { type: 'text', align: 'right', baseline: 'middle', fontSize: bands.labelFontSize },
        encoding: { y, x: { value: 596 }, text: { field: 'label' } },
      },
      { data: { values: [{ x: 0 }] }, mark: { type: 'rule', color: '#333' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    ],
  };
  return { name: 'layers', spec };
}
