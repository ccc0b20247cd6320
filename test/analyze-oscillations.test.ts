// Oscillations (sign changes of Δθ and of LCA), LCA per output unit, and statistics across runs, on
// inputs whose answers are known by construction; plus the oscillations report end to end on a tiny run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { across, checkSameVariables } from '../src/analyze/across.js';
import { selectVariables } from '../src/analyze/groups.js';
import { addPerUnit, neuronsFold, rankUnits } from '../src/analyze/neurons.js';
import { countSignChanges, directionChangeCounter, oscillationRates, signChangeFold } from '../src/analyze/oscillations.js';
import type { LcaRow, VariableInfo } from '../src/analyze/rows.js';
import { InputError, UsageError } from '../src/errors.js';
import { createWeightsWriter } from '../src/store/weights.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { lca } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const v = (name: string, shape: number[]): VariableInfo => ({ name, shape, size: shape.reduce((a, b) => a * b, 1) });
const rowOf = (variables: readonly VariableInfo[], values: number[]): LcaRow => {
  const flat = Float32Array.from(values);
  const offsets = variables.map((_, k) => variables.slice(0, k).reduce((n, x) => n + x.size, 0));
  return { iteration: 0, scalar: () => Number.NaN, variable: (k) => flat.subarray(offsets[k], offsets[k] + variables[k].size) };
};

test('countSignChanges: x·y < 0 only; zeros and −0 never count, and break the chain', () => {
  const previous = Float64Array.from([1, 1, 0, -0, 2, -3e-40]);
  assert.equal(countSignChanges(previous, [-1, 1, -1, 1, 0, 3e-40]), 2); // 1→−1 and −3e-40→3e-40 (subnormals)
  assert.deepEqual([...previous], [-1, 1, -1, 1, 0, 3e-40], 'the current row becomes the previous one');
});

// Parameter a moves +1, −1, +1, −1 (3 changes), b moves +1, +1, +1, +1 (0), c moves +1, 0, −1, +1:
// the zero breaks the chain (+, 0, −) so only −1 → +1 counts (1 change). 4 movements from 5 iterates.
const a = [0, 1, 0, 1, 0];
const b = [0, 1, 2, 3, 4];
const c = [0, 1, 1, 0, 1];
const tiny = [v('fc_1/kernel', [1, 2]), v('fc_1/bias', [1])];

test('directionChangeCounter: sign changes of Δθ_t = θ_{t+1} − θ_t, from θ streamed one at a time', () => {
  const selection = selectVariables(tiny, 'bias');
  const counter = directionChangeCounter(selection, [0, 2]);
  for (let t = 0; t < 5; t++) counter.add(Float32Array.from([a[t], b[t], c[t]]));
  const r = counter.result();
  assert.equal(r.rows, 4);
  assert.deepEqual([...r.changes], [3, 1]);
  const [layer] = oscillationRates(['fc_1'], [[0, 1]], [3], r);
  assert.equal(layer.changesPerParameter, 4 / 3);
  assert.equal(layer.iterationsPerChange, 4 / (4 / 3), 'one change every 3 iterations');
  const still = oscillationRates(['b'], [[0]], [1], { changes: Float64Array.from([0]), rows: 4 })[0];
  assert.equal(still.iterationsPerChange, Infinity, 'never changing: no finite interval');
});

test('directionChangeCounter reads each variable at its own offset in θ', () => {
  const selection = selectVariables(tiny, 'bias', 'fc_1/bias');
  const counter = directionChangeCounter(selection, [2]);
  for (let t = 0; t < 5; t++) counter.add(Float32Array.from([a[t], b[t], c[t]]));
  assert.deepEqual([...counter.result().changes], [1]);
});

test('signChangeFold: helped ↔ hurt switches of LCA per variable', () => {
  const selection = selectVariables(tiny, 'bias');
  const fold = signChangeFold(selection);
  for (const values of [[-1, 2, 0], [1, 3, -1], [-2, 0, 1], [-1, -4, 1]]) fold.add(rowOf(tiny, values));
  const r = fold.result();
  assert.equal(r.rows, 4);
  assert.deepEqual([...r.changes], [2, 1]); // a: −,+,− (2); b: +,+,0,− (0); c: 0,−,+,+ (1)
});

const net = [v('conv_1/kernel', [2, 1, 3]), v('conv_1/bias', [3]), v('batch_norm_1/gamma', [3]), v('batch_norm_1/beta', [3]), v('fc/kernel', [3, 2])];
// conv kernel rows (unit 0, 1, 2): [1, 2, 3], [10, 20, 30]; bias [100, 200, 300]; γ [−1, −1, −1]; β [0, 0, 5];
// fc kernel [[1, −1], [1, −1], [1, −1]] → units 3, −3.
const values = [1, 2, 3, 10, 20, 30, 100, 200, 300, -1, -1, -1, 0, 0, 5, 1, -1, 1, -1, 1, -1];

test('addPerUnit sums every axis but the last', () => {
  const sums = new Float64Array(3);
  addPerUnit(Float32Array.from([1, 2, 3, 10, 20, 30]), sums);
  assert.deepEqual([...sums], [11, 22, 33]);
});

test('neuronsFold: bias (and with bias+bn, γ and β) join their unit; sums over iterations', () => {
  const twice = (merge: 'none' | 'bias' | 'bias+bn') => {
    const fold = neuronsFold(selectVariables(net, merge));
    fold.add(rowOf(net, values));
    fold.add(rowOf(net, values));
    return fold.result().map((l) => [l.name, [...l.units]]);
  };
  assert.deepEqual(twice('bias'), [['conv_1', [222, 444, 666]], ['batch_norm_1', [-2, -2, 8]], ['fc', [6, -6]]]);
  assert.deepEqual(twice('bias+bn'), [['conv_1', [220, 442, 674]], ['fc', [6, -6]]]);
  assert.equal(twice('none').length, 5);
  assert.deepEqual(rankUnits(Float64Array.from([3, -1, 3, -2])).map((u) => u.unit), [3, 1, 0, 2], 'most helpful first, ties by unit');
});

test('neuronsFold: a layer whose variables disagree on the unit count is a usage error', () => {
  assert.throws(() => neuronsFold(selectVariables([v('fc/kernel', [3, 2]), v('fc/bias', [3])], 'bias')), UsageError);
});

test('across: mean, sample std, one-sample t and Welch, per-run values kept in order', () => {
  const r = across('fc_1', [1, 2, 4], [3, 5, 9, 11], true);
  assert.deepEqual(r.values, [1, 2, 4]);
  assert.equal(r.mean, 7 / 3);
  assert.ok(Math.abs(r.std - Math.sqrt(7 / 3)) < 1e-15);
  assert.ok(Math.abs((r.zero?.p ?? 0) - 0.11808289631180308) < 1e-12);
  assert.ok(Math.abs((r.vs?.welch.p ?? 0) - 0.07937015050896559) < 1e-12);
  assert.equal(across('x', [1, 2], undefined, false).zero, undefined);
});

test('checkSameVariables names the run that differs', () => {
  const runs = [{ run: 'A', variables: tiny }, { run: 'B', variables: tiny }, { run: 'C', variables: [tiny[0], v('fc_1/bias', [2])] }];
  assert.throws(() => checkSameVariables(runs), (e: Error) => e instanceof InputError && /^C: variables differ from A \(variable 2 is fc_1\/bias\[2\], not fc_1\/bias\[1\]\)/.test(e.message));
  assert.throws(() => checkSameVariables([runs[0], { run: 'D', variables: tiny.slice(0, 1) }]), /D: variables differ from A \(it has 1 variables, not 2\)/);
});

test('lca analyze --report oscillations end to end: weights.arrow and LCA parts of a 5-iterate run', async () => {
  const dir = tempDir('lca-osc-');
  // LCA rows as in the signChangeFold test above (4 rows), weights θ_0 … θ_4 as in the counter test.
  const lcaRows = [[-1, 2, 0], [1, 3, -1], [-2, 0, 1], [-1, -4, 1]];
  await writeAnalyzeRun(dir, tiny, 4, (t, out) => out.set(lcaRows[t]));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const writer = createWeightsWriter(dir, manifest.model.variables);
  for (let t = 0; t < 5; t++) await writer.append({ iteration: t, minibatch_loss: 0 }, [a[t], b[t], c[t]]);
  await writer.close();
  const result = lca(['analyze', '--run', dir, '--report', 'oscillations', '--format', 'json']);
  assert.equal(result.code, 0, result.stderr);
  const r = JSON.parse(result.stdout);
  assert.equal(r.iterations, 4);
  assert.equal(r.weight_changes_per_parameter, 4 / 3);
  assert.equal(r.lca_changes_per_parameter, 1);
  assert.equal(r.lca_iterations_per_change, 4);
  assert.match(r.gradient_sign_changes, /lca compute --save-gradients/);
  assert.deepEqual(r.tables.variables.map((x: { variable: string; weight_changes_per_parameter: number }) => [x.variable, x.weight_changes_per_parameter]), [['fc_1/kernel', 1.5], ['fc_1/bias', 1]]);
  const window = JSON.parse(lca(['analyze', '--run', dir, '--report', 'oscillations', '--iterations', '1:4', '--format', 'json']).stdout);
  assert.equal(window.iterations, 3);
  assert.equal(window.weight_changes_per_parameter, 1, 'θ_1 … θ_4: a moves −,+,− (2), b (0), c 0,−,+ (1)');
});
