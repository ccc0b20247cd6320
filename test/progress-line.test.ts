// Progress lines off a terminal (issue 13 item 1): every few seconds, at the first and last unit and at
// notable moments (a row doubling its splits), with done/total, splits, s/gradient and an ETA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeProgress, formatSeconds, progressLines } from '../src/jobs/progress-line.js';

function recorder(interval: number) {
  let clock = 100;
  const lines: { message: string; fields: Record<string, unknown> }[] = [];
  const progress = progressLines('computing LCA (adaptive)', 'iterations', interval, () => clock, (message, fields) => lines.push({ message, fields }));
  return { progress, lines, at: (seconds: number) => (clock = 100 + seconds) };
}

test('a line at the first unit, then at most every interval, on notable moments and at the last unit', () => {
  const { progress, lines, at } = recorder(5);
  progress.update(0, 10);
  at(1); progress.pulse({ row: 0, splits: 2, gradients: 2 });
  assert.equal(lines.length, 0, 'nothing due yet');
  at(4); progress.pulse({ splits: 4, error: -0.32 }, true);
  assert.equal(lines.length, 1, 'a row doubling its splits is logged at once');
  assert.match(lines[0].message, /^computing LCA \(adaptive\): 0\/10 iterations, row 0 at 4 splits \(\|error\| 0\.32 before\), 2\.00 s\/gradient, ETA \?$/);
  at(6); progress.pulse({ gradients: 3 });
  assert.equal(lines.length, 1, '2 s since the last line');
  at(9.5); progress.pulse({ gradients: 4 });
  assert.equal(lines.length, 2, '5.5 s since the last line');
  at(10); progress.update(1, 10);
  assert.equal(lines.length, 3, 'the first unit gives an early rate');
  assert.deepEqual(lines[2].fields, {
    progress: 'computing LCA (adaptive)', unit: 'iterations', done: 1, total: 10, row: 0, splits: 4, gradients: 4, error: 0.32,
    elapsed_s: 10, s_per_unit: 10, s_per_gradient: 2.5, eta_s: 90,
  });
  at(11); progress.update(2, 10);
  at(12); progress.update(3, 10);
  assert.equal(lines.length, 3);
  at(40); progress.update(10, 10);
  assert.equal(lines.length, 4, 'the last unit');
  assert.equal(lines[3].fields.eta_s, 0);
});

test('interval 0 logs every step; training has no gradients or rows in its line', () => {
  const { progress, lines, at } = recorder(0);
  for (let t = 1; t <= 3; t++) {
    at(t); progress.update(t, 3);
  }
  assert.equal(lines.length, 3);
  const { message, fields } = describeProgress('training', 'iterations', 30, 120, 60, {});
  assert.equal(message, 'training: 30/120 iterations, 2.00 s per iteration, ETA 3m00s');
  assert.equal(fields.s_per_gradient, null);
});

test('formatSeconds: seconds, minutes, hours, unknown', () => {
  assert.deepEqual([42, 125, 7300, null, Infinity].map(formatSeconds), ['42s', '2m05s', '2h02m', '?', '?']);
});
