// Grounding: the loss rebuilt from L(θ_first) plus the running sum of Σ_i LCA against the real
// full-training-set loss, and each iteration's |error| = |ΔL − Σ_i LCA| against the tolerance.
import { HURT_COLOR } from './colors.js';
import { num, title, type Figure } from './figure.js';
import type { VlSpec } from './render.js';
import type { FigureSource } from './source.js';

const ACTUAL = 'actual L(θ_t)';
const REBUILT = 'L(θ_first) + Σ_{s<t} Σ_i LCA[s, i]';
const FLOOR = 1e-12; // exact-zero errors drawn at this height on the log axis

export async function groundingFigure(source: FigureSource): Promise<Figure> {
  const series = await source.series();
  const s = (await source.report('error')).summary;
  const curves: { iteration: number; curve: string; loss: number }[] = [];
  if (series.iteration.length > 0) {
    const t0 = series.iteration[0];
    curves.push({ iteration: t0, curve: ACTUAL, loss: series.loss[0] }, { iteration: t0, curve: REBUILT, loss: series.loss[0] });
  }
  let rebuilt = series.loss[0] ?? 0;
  const errors = series.iteration.map((t, k) => {
    rebuilt += series.lcaSum[k];
    curves.push({ iteration: t + 1, curve: ACTUAL, loss: series.nextLoss[k] }, { iteration: t + 1, curve: REBUILT, loss: rebuilt });
    return { iteration: t, error: series.error[k], abs_error: Math.max(FLOOR, Math.abs(series.error[k])) };
  });
  const tolerance = typeof s.tolerance === 'number' ? s.tolerance : 1e-3;
  const x = { field: 'iteration', type: 'quantitative', title: 'iteration t', scale: { nice: false } };
  const spec: VlSpec = {
    title: title('Grounding — the loss rebuilt from LCA against the actual loss', source,
      `max |error| ${num(s.max_abs_error)} nats, mean ${num(s.mean_abs_error)}; cumulative error ${num(s.cumulative_relative_error as number * 100)}% of the loss change; ${s.iterations_above_tolerance} iteration(s) above ${num(tolerance)}`),
    vconcat: [
      {
        width: 720,
        height: 240,
        data: { values: curves },
        // The rebuilt curve dashed on top of the actual one: where they agree, both stay visible.
        layer: [[ACTUAL, [1, 0], 3], [REBUILT, [6, 4], 2]].map(([curve, strokeDash, strokeWidth]) => ({
          transform: [{ filter: { field: 'curve', equal: curve } }],
          mark: { type: 'line', strokeDash, strokeWidth },
          encoding: {
            x,
            y: { field: 'loss', type: 'quantitative', title: 'training loss (nats)', scale: { zero: false } },
            color: { field: 'curve', type: 'nominal', scale: { domain: [ACTUAL, REBUILT], range: ['black', '#f58518'] }, legend: { title: null, orient: 'top', labelLimit: 300 } },
            tooltip: [{ field: 'iteration' }, { field: 'curve' }, { field: 'loss', format: '.6f' }],
          },
        })),
      },
      {
        width: 720,
        height: 180,
        layer: [
          {
            data: { values: errors },
            mark: { type: 'point', filled: true, size: 14, color: '#4c78a8' },
            encoding: {
              x,
              y: { field: 'abs_error', type: 'quantitative', title: '|ΔL − Σ LCA| per iteration (nats)', scale: { type: 'log' }, axis: { format: '.0e' } },
              tooltip: [{ field: 'iteration' }, { field: 'error', format: '.3e' }],
            },
          },
          {
            data: { values: [{ y: tolerance, label: `tolerance ${num(tolerance)}` }] },
            layer: [
              { mark: { type: 'rule', color: HURT_COLOR, strokeDash: [5, 4] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
              { mark: { type: 'text', color: HURT_COLOR, align: 'right', dy: -6, x: 'width' }, encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
            ],
          },
        ],
      },
    ],
  };
  return { name: 'grounding', spec };
}
