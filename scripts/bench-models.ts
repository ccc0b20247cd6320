// Benchmark of the paper's networks on one backend: seconds per training step (batch 250), examples
// per second of a full-dataset loss + gradient, and peak RSS. Each network runs in its own process,
// because the wasm heap only grows (tfjs-probe.md §5) and would hide the smaller networks' peaks.
//   node dist/scripts/bench-models.js [--backend wasm] [--batch 250] [--examples 500] [--eval-batch 250] [model …]
// On wasm (a 4 GB heap) CIFAR-AllCNN at batch 250 peaks near 4.2 GB RSS: larger batches are unlikely to fit.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initBackend, type TfjsChoice } from '../src/backend/init.js';
import { MODEL_NAMES, type ModelName } from '../src/config/schema.js';
import type { ImageSet } from '../src/data/types.js';
import { loadDataset } from '../src/data/dataset.js';
import { generateSyntheticCifar } from '../src/data/synthetic-cifar.js';
import { FullDatasetObjective } from '../src/lca/full-dataset.js';
import { initialParameters } from '../src/models/init.js';
import { layoutOf } from '../src/models/network.js';
import { networkNamed } from '../src/models/registry.js';
import { train } from '../src/train/loop.js';
import { sgd } from '../src/train/optimizers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const flag = (name: string, fallback: string): string => {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? process.argv[k + 1] : fallback;
};
const backend = flag('backend', 'wasm');
const examples = Number(flag('examples', '500'));
const evalBatch = Number(flag('eval-batch', '250'));
const BATCH = Number(flag('batch', '250')); // the paper's training batch is 250 (original-conventions.md §4)
const STEPS = 3; // the first is cold (XNNPACK set-up, heap growth); the median of the rest is reported

interface Result {
  model: string;
  parameters: number;
  step_cold_s: number;
  step_s: number;
  gradient_examples: number;
  gradient_s: number;
  examples_per_second: number;
  peak_rss_mb: number;
}

/** Real images where they are on disk here (the MNIST fixture), generated CIFAR-shaped ones otherwise. */
function dataFor(model: ModelName, count: number): ImageSet {
  if (networkNamed(model).inputShape[2] === 3) return generateSyntheticCifar({ trainCount: count, valCount: 0 }).train;
  return loadDataset('fashion-mnist-fixture', { projectRoot: root }).train;
}

async function measure(model: ModelName): Promise<Result> {
  await initBackend(backend as TfjsChoice);
  const net = networkNamed(model);
  const set = dataFor(model, Math.max(examples, BATCH * STEPS));
  const theta = initialParameters(net.variables, 0);
  const stamps: number[] = [];
  await train(net, set, theta, sgd(theta.length, 0.01, 0.9), { iterations: STEPS, batchSize: BATCH, seed: 0 }, async () => {
    stamps.push(performance.now());
  });
  const steps = stamps.slice(1).map((t, i) => (t - stamps[i]) / 1000).slice(0, STEPS); // [STEPS] step times
  const warm = steps.slice(1).sort((a, b) => a - b);

  const pixels = net.inputShape.reduce((a, b) => a * b, 1);
  const subset: ImageSet = { images: set.images.subarray(0, examples * pixels), labels: set.labels.subarray(0, examples), count: examples };
  const objective = new FullDatasetObjective(net, subset, evalBatch);
  const start = performance.now();
  objective.lossAndGradient(theta);
  const gradientSeconds = (performance.now() - start) / 1000;
  objective.dispose();
  return {
    model,
    parameters: layoutOf(net.variables).total,
    step_cold_s: steps[0],
    step_s: warm[Math.floor(warm.length / 2)],
    gradient_examples: examples,
    gradient_s: gradientSeconds,
    examples_per_second: examples / gradientSeconds,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024, // the OS's high-water mark, in kB → MB
  };
}

const models = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--')) as ModelName[];
if (models.length === 1) {
  console.log(JSON.stringify(await measure(models[0])));
} else {
  const script = fileURLToPath(import.meta.url);
  const passOn = ['--backend', backend, '--batch', String(BATCH), '--examples', String(examples), '--eval-batch', String(evalBatch)];
  console.log(`backend ${backend}; training step: batch ${BATCH}; full-dataset gradient: ${examples} examples in batches of ${evalBatch}`);
  console.log(['model', 'params', 'step cold s', 'step s', 'gradient s', 'examples/s', 'peak RSS MB'].join('\t'));
  for (const model of models.length > 0 ? models : MODEL_NAMES) {
    const out = spawnSync(process.execPath, [script, ...passOn, model], { cwd: root, encoding: 'utf8' });
    const line = out.stdout.trim().split('\n').pop() ?? '';
    try {
      const r = JSON.parse(line) as Result;
      console.log([r.model, r.parameters, r.step_cold_s.toFixed(2), r.step_s.toFixed(2), r.gradient_s.toFixed(2),
        r.examples_per_second.toFixed(1), r.peak_rss_mb.toFixed(0)].join('\t'));
    } catch {
      console.log(`${model}\tfailed: ${(out.stderr.trim().split('\n').pop() ?? `exit ${out.status}`).slice(0, 160)}`);
    }
  }
}
