// Both float32 engines, ONNX Runtime (1 thread) and TF.js (wasm), against a float64 reference of the same
// loss and gradient (scripts/reference-gradient.py: PyTorch, model.double()), as JSON on stdout. Needs
// /usr/bin/python3 with torch (scripts/install-peer.sh). Models: mnist-fc, cifar-resnet20, cifar-allcnn.
//   node dist/scripts/reference-compare.js random MODEL [EXAMPLES]
//     at the θ and images of test/engine-networks (EXAMPLES, default 2, in one evaluation batch)
//   node dist/scripts/reference-compare.js run RUN RUN_B
//     RUN computed on ONNX Runtime and RUN_B a copy computed on TF.js (scripts/compare-engines.ts says how):
//     the gradient at every iterate on the compute's examples (--subset, evaluation batch), and each LCA
//     matrix against the float64 one with RUN's splits per row (composite Simpson, as src/lca/).
// Gradient norms as src/analyze/gradient-diff.ts; LCA: relative Frobenius difference over all rows.
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { lcaRows, type LcaRow } from '../src/analyze/engine-diff.js';
import { cancelledBiases, gradientDiff } from '../src/analyze/gradient-diff.js';
import { initBackend } from '../src/backend/init.js';
import { gatherExamples } from '../src/data/imageset.js';
import { loadDataset } from '../src/data/dataset.js';
import type { ImageSet } from '../src/data/types.js';
import { OrtFullDatasetObjective } from '../src/engine/objective.js';
import { FullDatasetObjective } from '../src/lca/full-dataset.js';
import { pointOnSegment } from '../src/lca/integrate.js';
import { simpsonWeights } from '../src/lca/simpson.js';
import { subsetIndices } from '../src/lca/subset.js';
import { layoutOf, type Network } from '../src/models/network.js';
import { networkNamed } from '../src/models/registry.js';
import { ComputedRun } from '../src/store/computed-run.js';
import { readManifest, trainConfig } from '../src/store/manifest.js';
import { readIterates } from '../src/store/weights.js';
import { genericTheta, randomBatch } from '../test/helpers/finite-difference.js';
import { float64Reference } from './reference-float64.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** L and ∇L at each θ on both float32 engines, over `set` (the examples of `indices`) in batches of `evalBatchSize`. */
async function engines(net: Network, set: ImageSet, evalBatchSize: number, indices: Int32Array | undefined, thetas: readonly Float32Array[]) {
  await initBackend('wasm');
  const ort = await OrtFullDatasetObjective.open(net, set, evalBatchSize, { provider: 'cpu', threads: 1 }, { indices });
  const tfjs = new FullDatasetObjective(net, set, evalBatchSize, { indices });
  try {
    const results = [];
    for (const theta of thetas) results.push({ ort: await ort.lossAndGradient(theta), tfjs: tfjs.lossAndGradient(theta) });
    return results;
  } finally {
    await ort.dispose();
    tfjs.dispose();
  }
}

/** Per θ: each engine against float64, and the engines against each other (the engine test's figure). */
async function compareGradients(net: Network, set: ImageSet, evalBatchSize: number, indices: Int32Array | undefined, thetas: readonly Float32Array[]) {
  const { slots } = layoutOf(net.variables);
  const cancelled = cancelledBiases(net.variables);
  const examples = indices ? gatherExamples(set.images, set.labels, set.images.length / set.count, indices) : set;
  const reference = float64Reference({
    model: net.name, slots, evalBatchSize, images: examples.images, labels: examples.labels, exampleShape: net.inputShape, thetas,
  });
  const measured = await engines(net, set, evalBatchSize, indices, thetas);
  const summary = (d: ReturnType<typeof gradientDiff>) => ({ worst_variable: d.worst.name, worst_relative_max: d.worst.error, relative_frobenius: d.relative_frobenius });
  const points = measured.map(({ ort, tfjs }, p) => ({
    loss: { float64: reference.losses[p], ort: ort.loss, tfjs: tfjs.loss },
    ort_vs_float64: summary(gradientDiff(ort.gradient, reference.gradients[p], slots, cancelled)),
    tfjs_vs_float64: summary(gradientDiff(tfjs.gradient, reference.gradients[p], slots, cancelled)),
    ort_vs_tfjs: summary(gradientDiff(ort.gradient, tfjs.gradient, slots, cancelled)),
  }));
  return { points, reference };
}

async function random(model: string, examples: number) {
  const net = networkNamed(model as Parameters<typeof networkNamed>[0]);
  if (!net) throw new Error(`unknown model ${model}`);
  await initBackend('wasm');
  const batch = randomBatch(net, examples, 7);
  const set: ImageSet = { images: batch.images.dataSync() as Float32Array, labels: Uint8Array.from(batch.oneHot.argMax(1).dataSync()), count: examples };
  tf.dispose([batch.images, batch.oneHot]);
  const { points } = await compareGradients(net, set, examples, undefined, [genericTheta(net, 3)]);
  return { model, examples, ...points[0] };
}

const collect = async <T>(rows: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const r of rows) all.push(r);
  return all;
};

/** ‖X − F‖ / ‖F‖ over all rows. */
function relativeFrobenius(rows: readonly ArrayLike<number>[], reference: readonly Float64Array[]): number {
  let difference = 0;
  let norm = 0;
  reference.forEach((f, t) => {
    for (let i = 0; i < f.length; i++) {
      difference += (rows[t][i] - f[i]) ** 2;
      norm += f[i] ** 2;
    }
  });
  return Math.sqrt(difference / norm);
}

async function computedRun(runA: string, runB: string) {
  const manifest = readManifest(runA);
  const config = trainConfig(manifest);
  if (!config) throw new Error(`${runA} was made by lca import: no built-in network to compare`);
  const net = networkNamed(config.model);
  const { settings } = await ComputedRun.open(runA, { method: 'adaptive' });
  const data = loadDataset(config.dataset, { dataDir: config.data_dir ?? undefined, projectRoot: root });
  const indices = settings.subset === null ? undefined : subsetIndices({ count: settings.subset, of: data.train.count, seed: settings.subset_seed ?? 0 });
  const iterates = (await collect(readIterates(runA, manifest))).map((i) => i.theta);
  const [rowsA, rowsB] = [await collect(lcaRows(runA, 'adaptive')), await collect(lcaRows(runB, 'adaptive'))];
  // The float64 reference at every point RUN's rows used: the iterates, then each row's interior points.
  const interior = rowsA.map((row, t) => Array.from({ length: row.splits - 1 }, (_, j) => pointOnSegment(iterates[t], iterates[t + 1], (j + 1) / row.splits)));
  const { points, reference } = await compareGradients(net, data.train, settings.eval_batch_size, indices, iterates);
  const { gradients: inside } = float64Reference({
    model: net.name, slots: layoutOf(net.variables).slots, evalBatchSize: settings.eval_batch_size, exampleShape: net.inputShape,
    ...(indices ? gatherExamples(data.train.images, data.train.labels, data.train.images.length / data.train.count, indices) : data.train),
    thetas: interior.flat(),
  });
  let next = 0;
  const float64Rows = rowsA.map((row, t) => {
    const weights = simpsonWeights(row.splits);
    const along = [reference.gradients[t], ...interior[t].map(() => inside[next++]), reference.gradients[t + 1]];
    const lca = new Float64Array(iterates[t].length);
    let sum = 0;
    for (let i = 0; i < lca.length; i++) {
      let average = 0;
      along.forEach((g, j) => (average += weights[j] * g[i]));
      lca[i] = (average / (3 * row.splits)) * (iterates[t + 1][i] - iterates[t][i]);
      sum += lca[i];
    }
    return { lca, error: reference.losses[t + 1] - reference.losses[t] - sum };
  });
  const lca = float64Rows.map((r) => r.lca);
  const grounding = (rows: readonly Pick<LcaRow, 'error'>[]) => rows.map((r) => r.error);
  return {
    run: runA, run_b: runB, subset: settings.subset, eval_batch_size: settings.eval_batch_size,
    gradients_at_iterates: points,
    lca: {
      splits: rowsA.map((r) => r.splits), splits_b: rowsB.map((r) => r.splits),
      ort_vs_float64: relativeFrobenius(rowsA.map((r) => r.lca), lca),
      tfjs_vs_float64: relativeFrobenius(rowsB.map((r) => r.lca), lca),
      ort_vs_tfjs: relativeFrobenius(rowsA.map((r) => r.lca), rowsB.map((r) => Float64Array.from(r.lca))),
      errors: { float64: grounding(float64Rows), ort: grounding(rowsA), tfjs: grounding(rowsB) },
    },
  };
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'random' && args[0]) console.log(JSON.stringify(await random(args[0], Number(args[1] ?? 2)), null, 2));
else if (mode === 'run' && args.length === 2) console.log(JSON.stringify(await computedRun(args[0], args[1]), null, 2));
else {
  console.error('usage: reference-compare.js random MODEL [EXAMPLES] | run RUN RUN_B');
  process.exit(2);
}
