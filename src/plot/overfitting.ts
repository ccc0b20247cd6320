// The `overfitting` figure from the report of the same name: training and validation loss with the
// onset marked, and each layer's validation LCA per iteration with the rows where the layer helped
// the training loss but hurt the validation loss (the sign disagreements) marked in red.
import { HURT_COLOR } from './colors.js';
import { num, title, type Figure } from './figure.js';
import type { VlSpec } from './render.js';
import { tableRows, type FigureSource } from './source.js';

export async function overfittingFigure(source: FigureSource): Promise<Figure> {
  const report = await source.report('overfitting');
  const s = report.summary;
  const losses = tableRows(report, 'losses').flatMap((r) => [
    { iteration: r.iteration, set: 'training L(θ_t)', loss: r.loss },
    { iteration: r.iteration, set: 'validation L_val(θ_t)', loss: r.val_loss },
  ]);
  const cells = tableRows(report, 'iterations');
  const order = tableRows(report, 'layers').map((l) => l.layer as string).filter((l) => l !== 'all');
  const x = { field: 'iteration', type: 'quantitative', title: 'iteration t', scale: { nice: false } };
  const onset = s.onset_iteration !== null
    ? `onset at t = ${s.onset_iteration}: L_val then rose ${num(s.val_rise_after_onset)} nats while L fell ${num(s.train_fall_after_onset)}`
    : (s.val_rise_after_onset as number) > 0
      ? `no onset: L_val is lowest at t = ${s.min_val_iteration} and ends ${num(s.val_rise_after_onset)} nats higher, but L ends higher too`
      : 'no onset: the validation loss is lowest at the last iterate';
  const spec: VlSpec = {
    title: title('Overfitting — training vs validation LCA', source,
      `${onset}; ${s.disagreeing_cells} of ${s.cells} (iteration, layer) cells helped training but hurt validation, ` +
      `adding ${num(s.val_lca_disagreeing)} nats (${num(100 * (s.share_of_val_hurt as number))}% of every validation increase); circled below`),
    // The loss panel's two curves and the layer panel's layers are different things: separate colour scales and legends.
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
    vconcat: [
      {
        width: 720,
        height: 220,
        layer: [
          {
            data: { values: losses },
            mark: { type: 'line', strokeWidth: 2 },
            encoding: {
              x,
              y: { field: 'loss', type: 'quantitative', title: 'full-set loss (nats)', scale: { zero: false } },
              color: { field: 'set', type: 'nominal', scale: { range: ['black', '#4c78a8'] }, legend: { title: null, orient: 'top', labelLimit: 300 } },
              tooltip: [{ field: 'iteration' }, { field: 'set' }, { field: 'loss', format: '.5f' }],
            },
          },
          ...(s.onset_iteration === null ? [] : [{
            data: { values: [{ iteration: s.onset_iteration }] },
            mark: { type: 'rule', color: HURT_COLOR, strokeDash: [4, 3] },
            encoding: { x: { field: 'iteration', type: 'quantitative' } },
          }]),
        ],
      },
      {
        width: 720,
        height: 220,
        data: { values: cells },
        layer: [
          {
            mark: { type: 'line', strokeWidth: 1.2 },
            encoding: {
              x,
              y: { field: 'val_lca', type: 'quantitative', title: 'layer LCA of the validation loss (nats)' },
              color: { field: 'layer', type: 'nominal', sort: order, title: 'layer', scale: { scheme: 'tableau10' }, legend: { orient: 'top', labelLimit: 300 } },
            },
          },
          {
            transform: [{ filter: 'datum.disagree == 1' }],
            mark: { type: 'point', filled: false, size: 70, strokeWidth: 1.5, color: 'black' },
            encoding: {
              x,
              y: { field: 'val_lca', type: 'quantitative' },
              tooltip: [{ field: 'iteration' }, { field: 'layer' }, { field: 'train_lca', format: '.3e' }, { field: 'val_lca', format: '.3e' }],
            },
          },
        ],
      },
    ],
  };
  return { name: 'overfitting', spec };
}
