// `lca import` on files PyTorch really wrote (fixtures/interop, made by scripts/make-import-fixtures.py):
// the run directory it makes (manifest, weights rows equal to the checkpoints, the graph copied in),
// sparse and stacked checkpoints, and the one-line errors for names, shapes, ops and opsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runImport, type ImportOptions } from '../src/jobs/import.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { readManifest } from '../src/store/manifest.js';
import { readIterates } from '../src/store/weights.js';
import { rowsDescription } from '../src/store/steps.js';
import { readSafetensors, writeSafetensors } from '../src/interop/safetensors.js';
import { readNpz, writeNpz } from '../src/interop/npz.js';
import { runCompute } from '../src/jobs/compute.js';
import { classColumn, lcaDir, listParts, readLcaBatches } from '../src/store/lca-parts.js';
import { toFloat32 } from '../src/interop/tensors.js';
import { checkDifferentiable, inspectModel, readOnnxFile } from '../src/interop/onnx-file.js';
import { InputError, UsageError } from '../src/errors.js';
import { lca } from './helpers/cli.js';
import { firstPartMetadata } from './helpers/parts.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-import-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const FIX = 'fixtures/interop';

const options = (name: string, extra: Partial<ImportOptions> = {}): ImportOptions => ({
  model: `${FIX}/torch-${name}.onnx`, checkpoints: [`${FIX}/torch-${name}-step-*.safetensors`], data: `${FIX}/torch-${name}-data.npz`,
  out: path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}`), force: false, projectRoot: process.cwd(), reporter: silentReporter, ...extra,
});

async function rows(dir: string): Promise<Float32Array[]> {
  const manifest = readManifest(dir);
  const out: Float32Array[] = [];
  for await (const it of readIterates(dir, manifest)) out.push(it.theta);
  return out;
}

test('an MLP exported by PyTorch: a run directory whose rows are the checkpoints', async () => {
  const opts = options('mlp');
  const manifest = await runImport(opts);
  assert.deepEqual(manifest.model.variables.map((v) => [v.name, v.shape, v.offset]),
    [['fc1.weight', [5, 6], 0], ['fc1.bias', [5], 30], ['fc2.weight', [3, 5], 35], ['fc2.bias', [3], 50]]);
  assert.equal(manifest.model.parameters, 53);
  assert.equal(manifest.training.iterations, 2);
  assert.deepEqual(manifest.imported?.steps, [0, 1, 2]);
  assert.equal(manifest.imported?.input, 'input');
  assert.deepEqual(manifest.imported?.example_shape, [6]);
  assert.equal(manifest.dataset.train_count, 24);
  assert.equal(manifest.dataset.num_classes, 3);
  assert.equal(manifest.model.uses_batch_statistics, false);
  assert.equal(rowsDescription(manifest), null);
  assert.deepEqual(readManifest(opts.out), manifest);
  assert.deepEqual(fs.readFileSync(path.join(opts.out, 'model.onnx')), fs.readFileSync(opts.model));
  const theta = await rows(opts.out);
  for (const step of [0, 1, 2]) {
    const state = new Map(readSafetensors(`${FIX}/torch-mlp-step-${step}.safetensors`).map((t) => [t.name, t]));
    for (const v of manifest.model.variables) {
      assert.deepEqual(theta[step].subarray(v.offset, v.offset + v.size), toFloat32(state.get(v.name)!, 'x'), `${v.name} at step ${step}`);
    }
  }
  assert.notDeepEqual(theta[0], theta[2]);
});

test('conv + batch norm in training form: batch statistics detected; counters and running statistics skipped', async () => {
  const manifest = await runImport(options('convbn'));
  assert.equal(manifest.model.uses_batch_statistics, true);
  assert.deepEqual(manifest.model.variables.map((v) => v.name), ['conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'fc.weight', 'fc.bias']);
  assert.deepEqual(manifest.imported!.constants, ['bn.running_mean', 'bn.running_var']);
  const notes = manifest.imported!.notes.join('\n');
  assert.match(notes, /skipped 1 batch-norm counters \(bn\.num_batches_tracked\)/);
  assert.match(notes, /skipped 2 batch-norm running statistics, which batch norm in training form does not read/);
});

test('sparse checkpoints: --steps, and "k steps per row"', async () => {
  const manifest = await runImport(options('mlp', { steps: [0, 10, 20] }));
  assert.deepEqual(manifest.imported?.steps, [0, 10, 20]);
  assert.equal(rowsDescription(manifest), '10 steps per row');
  const uneven = await runImport(options('mlp', { steps: [0, 1, 10] }));
  assert.equal(rowsDescription(uneven), '1–9 steps per row');
});

test('one file stacking every step, with DDP names and float64 values, gives the same rows', async () => {
  const states = [0, 1, 2].map((s) => readSafetensors(`${FIX}/torch-mlp-step-${s}.safetensors`));
  const stacked = states[0].map((t, k) => {
    const values = Float64Array.from(states.flatMap((state) => Array.from(toFloat32(state[k], 'x'))));
    return { name: `module.${t.name}`, dtype: 'float64' as const, shape: [3, ...t.shape], bytes: new Uint8Array(values.buffer) };
  });
  const file = path.join(tmp, 'stacked.safetensors');
  writeSafetensors(file, stacked);
  const base = options('mlp');
  await runImport(base);
  const opts = options('mlp', { checkpoints: [file] });
  const manifest = await runImport(opts);
  assert.deepEqual(manifest.imported?.steps, [0, 1, 2]);
  assert.ok(manifest.imported!.notes.includes('float64 values rounded to float32'));
  assert.ok(manifest.imported!.notes.some((n) => n.includes('checkpoint module.fc1.weight → model fc1.weight')));
  assert.deepEqual(await rows(opts.out), await rows(base.out));
});

test('names, shapes, ops and opsets that do not fit are one-line errors, and nothing is left behind', async () => {
  const state = readSafetensors(`${FIX}/torch-mlp-step-0.safetensors`);
  const extra = path.join(tmp, 'extra-0.safetensors');
  writeSafetensors(extra, [...state, { ...state[1], name: 'head.bias' }]);
  const opts = options('mlp', { checkpoints: [extra, `${FIX}/torch-mlp-step-1.safetensors`] });
  await assert.rejects(runImport(opts), (err: Error) => err instanceof InputError && /extra-0\.safetensors: extra tensors head\.bias match no initializer/.test(err.message));
  assert.equal(fs.existsSync(opts.out) || fs.existsSync(`${opts.out}.partial`), false);

  const renamed = path.join(tmp, 'renamed-0.safetensors');
  writeSafetensors(renamed, state.map((t) => ({ ...t, name: `net.${t.name}` })));
  await assert.rejects(runImport(options('mlp', { checkpoints: [renamed, `${FIX}/torch-mlp-step-1.safetensors`] })),
    /extra tensors net\.fc1\.weight, net\.fc1\.bias, net\.fc2\.weight, net\.fc2\.bias match no initializer of the model; the model's initializers without values: fc1\.weight, fc1\.bias, fc2\.weight, fc2\.bias/);

  const missing = path.join(tmp, 'missing-1.safetensors');
  writeSafetensors(missing, state.slice(0, 3));
  await assert.rejects(runImport(options('mlp', { checkpoints: [`${FIX}/torch-mlp-step-0.safetensors`, missing] })), /missing-1\.safetensors: missing fc2\.bias/);

  const wrongShape = path.join(tmp, 'shape-0.safetensors');
  writeSafetensors(wrongShape, state.map((t) => (t.name === 'fc2.bias' ? { ...t, shape: [1, 3] } : t)));
  await assert.rejects(runImport(options('mlp', { checkpoints: [wrongShape, `${FIX}/torch-mlp-step-1.safetensors`] })),
    /fc2\.bias has shape \[1, 3\], but the model's fc2\.bias is \[3\]/);

  await assert.rejects(runImport(options('mlp', { checkpoints: [`${FIX}/torch-mlp-step-0.safetensors`] })), (err: Error) => err instanceof UsageError && /single checkpoint/.test(err.message));
  await assert.rejects(runImport(options('mlp', { data: `${FIX}/torch-convbn-data.npz` })), /examples of shape \[1, 4, 4\], but the model takes \[6\]/);

  const model = readOnnxFile(`${FIX}/torch-mlp.onnx`);
  model.graph.nodes[1] = { ...model.graph.nodes[1], opType: 'Sigmoid' };
  assert.throws(() => checkDifferentiable(inspectModel(model, 'm.onnx'), 'm.onnx', ['fc1.weight', 'fc1.bias']),
    (err: Error) => err instanceof InputError && /^m\.onnx: .*Sigmoid.*\/Relu/.test(err.message) && !err.message.includes('\n'));
  // Batch norm in inference form reads its running statistics; the engine does not differentiate them.
  const inference = readOnnxFile(`${FIX}/torch-convbn.onnx`);
  const bn = inference.graph.nodes.find((n) => n.opType === 'BatchNormalization')!;
  bn.outputs = bn.outputs.slice(0, 1);
  const inferenceModel = inspectModel(inference, 'bn.onnx');
  assert.equal(inferenceModel.usesBatchStatistics, false);
  assert.throws(() => checkDifferentiable(inferenceModel, 'bn.onnx', ['conv.weight', 'bn.running_mean']),
    /^InputError: bn\.onnx: BatchNormalization node '\/bn\/BatchNormalization': a gradient with respect to the running statistics is not supported/);
  for (const version of [12, 22]) {
    const other = readOnnxFile(`${FIX}/torch-mlp.onnx`);
    other.opsetImports[0].version = version;
    assert.throws(() => inspectModel(other, 'm.onnx'), new RegExp(`m\\.onnx: opset ${version} is outside the supported 13–21`));
  }
});

test('the CLI: a sparse import that status reports as 10 steps per row; exit 2 for usage, 1 for bad files', () => {
  const out = path.join(tmp, 'cli');
  const made = lca(['import', '--model', `${FIX}/torch-mlp.onnx`, '--checkpoints', `${FIX}/torch-mlp-step-*.safetensors`, '--steps', '0:20:10',
    '--data', `${FIX}/torch-mlp-data.npz`, '--out', out]);
  assert.equal(made.code, 0, made.stderr);
  assert.equal(made.stdout, '');
  const status = lca(['status', '--run', out, '--format', 'json']);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).rows, '10 steps per row');
  const tfjs = lca(['compute', '--run', out, '--backend', 'wasm']);
  assert.deepEqual([tfjs.code, tfjs.stderr.trim().split('\n').pop()], [2, 'lca: --backend wasm: this command runs on onnxruntime only']);
  const computed = lca(['compute', '--run', out, '--backend', 'onnxruntime', '--threads', '1']);
  assert.equal(computed.code, 0, computed.stderr);
  const error = JSON.parse(lca(['analyze', '--run', out, '--report', 'error', '--format', 'json']).stdout);
  assert.equal(error.rows, '10 steps per row');
  assert.equal(error.iterations, 2);
  assert.ok(error.max_abs_error < 1e-3, `grounding error ${error.max_abs_error}`);
  // PyTorch names group at their last dot: fc1.weight and fc1.bias form layer fc1.
  const layers = JSON.parse(lca(['analyze', '--run', out, '--report', 'layers', '--format', 'json']).stdout);
  assert.deepEqual(layers.tables.layers.map((l: { layer: string }) => l.layer).sort(), ['fc1', 'fc2']);
  const again = lca(['import', '--model', `${FIX}/torch-mlp.onnx`, '--checkpoints', `${FIX}/torch-mlp-step-*.safetensors`, '--data', `${FIX}/torch-mlp-data.npz`, '--out', out]);
  assert.deepEqual([again.code, again.stderr.trim().split('\n').pop()], [1, `lca: ${out} already exists; pass --force to replace it`]);
  const usage = lca(['import', '--model', `${FIX}/torch-mlp.onnx`, '--out', out]);
  assert.equal(usage.code, 2);
  const badData = lca(['import', '--model', `${FIX}/torch-mlp.onnx`, '--checkpoints', `${FIX}/torch-mlp-step-*.safetensors`, '--data', 'train.csv', '--out', path.join(tmp, 'x')]);
  assert.equal(badData.code, 1);
  assert.match(badData.stderr, /lca: --data train\.csv: expected an \.npz file/);
});

test('an imported run: --val needs x_val/y_val (refused before anything is touched), and with them --val and --per-class hold', async () => {
  const compute = (run: string, extra: { val?: boolean; perClass?: boolean; force?: boolean }) => runCompute({
    run, method: 'adaptive', val: !!extra.val, perClass: extra.perClass, tolerance: 1e-3, maxSplits: 32, partSize: 2,
    backend: 'onnxruntime', threads: 1, force: !!extra.force, projectRoot: process.cwd(), reporter: silentReporter,
  });
  const bare = options('mlp');
  await runImport(bare);
  await compute(bare.out, {});
  const before = listParts(lcaDir(bare.out, 'adaptive')).map((p) => fs.readFileSync(p.file));
  // Without a validation set the validation loss is 0/0 at every point: it would double every row to 32 splits and report zeros.
  await assert.rejects(compute(bare.out, { val: true, force: true }), (err: Error) =>
    err instanceof InputError && err.message === `--val: ${bare.out} has no validation examples (torch-mlp-data.npz); import it again with x_val and y_val in the data .npz`);
  assert.deepEqual(listParts(lcaDir(bare.out, 'adaptive')).map((p) => fs.readFileSync(p.file)), before, '--force deleted nothing');
  const cli = lca(['compute', '--run', bare.out, '--val', '--dry-run']);
  assert.deepEqual([cli.code, cli.stderr.trim().split('\n').length], [1, 1], cli.stderr);

  // The same examples as a validation set too: the validation LCA is then the training LCA (up to summation order).
  const data = path.join(tmp, 'mlp-with-val.npz');
  const tensors = readNpz(`${FIX}/torch-mlp-data.npz`);
  writeNpz(data, [...tensors, ...tensors.map((t) => ({ ...t, name: `${t.name}_val` }))]);
  const withVal = options('mlp', { data });
  await runImport(withVal);
  await compute(withVal.out, { val: true, perClass: true });
  const counts = JSON.parse((await firstPartMetadata(lcaDir(withVal.out, 'adaptive'))).get('lca.class_counts')!) as number[];
  const N = counts.reduce((a, b) => a + b, 0);
  assert.equal(N, 24);
  let rows = 0;
  for await (const batch of readLcaBatches(lcaDir(withVal.out, 'adaptive'), 0, 1)) {
    for (let r = 0; r < batch.numRows; r++, rows++) {
      assert.ok(Math.abs(batch.scalar('error')[r]) <= 1e-3 && Math.abs(batch.scalar('val_error')[r]) <= 1e-3, `row ${r} grounded`);
      // The same examples, but --per-class evaluates the training set in class order: float32 sums in another order.
      const [val, train] = [batch.scalar('val_lca_sum')[r], batch.scalar('lca_sum')[r]];
      assert.ok(Math.abs(val - train) <= 1e-6 * Math.abs(train), `row ${r}: validation LCA ${val} against training ${train}`);
      const weighted = counts.reduce((sum, n, c) => sum + (n / N) * batch.scalar(classColumn(c, 'lca_sum'))[r], 0);
      assert.ok(Math.abs(weighted - batch.scalar('lca_sum')[r]) <= 1e-9 * Math.abs(batch.scalar('lca_sum')[r]), `row ${r}: Σ_c (n_c/N) class LCA ${weighted} against ${batch.scalar('lca_sum')[r]}`);
    }
  }
  assert.equal(rows, 2);
  const overfitting = lca(['analyze', '--run', withVal.out, '--report', 'overfitting', '--format', 'json']);
  assert.equal(overfitting.code, 0, overfitting.stderr);
});
