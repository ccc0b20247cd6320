// One measurement for scripts/bench: the full-dataset loss + gradient of one network on one backend.
//   node dist/scripts/bench-gradient.js BACKEND [EXAMPLES] [REPEATS] [EVAL_BATCH] [MODEL] [THREADS] [SESSIONS]
// REPEATS 0: one cold gradient, timed (for a peak-RSS row where a gradient takes minutes).
// Prints one JSON line: {backend, model, examples, seconds (median of repeats), examples_per_second, cpu_seconds
// (the process's CPU time per gradient, median; on a loaded machine the figure that compares), peak_rss_mb}.
// MNIST networks tile the bundled fixture's images up to EXAMPLES; CIFAR ones take synthetic-cifar images.
import { fileURLToPath } from 'node:url';
import { describeBackend, type BackendChoice } from '../src/backend/names.js';
import { openBackend } from '../src/backend/open.js';
import type { ModelName } from '../src/config/schema.js';
import { loadDataset } from '../src/data/dataset.js';
import { generateSyntheticCifar } from '../src/data/synthetic-cifar.js';
import type { ImageSet } from '../src/data/types.js';
import { networkObjective } from '../src/jobs/model-source.js';
import { initialParameters } from '../src/models/init.js';
import { networkNamed } from '../src/models/registry.js';

const [backendArg, examplesArg, repeatsArg, batchArg, modelArg, threadsArg, sessionsArg] = process.argv.slice(2);
const examples = Number(examplesArg ?? 55000);
const repeats = Number(repeatsArg ?? 3);
const evalBatch = Number(batchArg ?? 11000);
const model = (modelArg ?? 'mnist-fc') as ModelName;
const net = networkNamed(model);

function data(): ImageSet {
  if (net.inputShape[2] === 3) return generateSyntheticCifar({ trainCount: examples, valCount: 0 }).train;
  const fixture = loadDataset('fashion-mnist-fixture', { projectRoot: fileURLToPath(new URL('../../', import.meta.url)) }).train;
  // Tile the 10,000 real images up to the requested count: timing depends on shapes, not values.
  const images = new Float32Array(examples * 784);
  const labels = new Uint8Array(examples);
  for (let n = 0; n < examples; n++) {
    images.set(fixture.images.subarray((n % fixture.count) * 784, (n % fixture.count + 1) * 784), n * 784);
    labels[n] = fixture.labels[n % fixture.count];
  }
  return { images, labels, count: examples };
}

const quiet = { info() {}, debug() {}, warn() {} };
let opened;
try {
  opened = await openBackend(backendArg as BackendChoice, {
    threads: threadsArg === undefined || threadsArg === '' ? undefined : Number(threadsArg), sessions: sessionsArg === undefined ? undefined : Number(sessionsArg), log: quiet, open: (b) => networkObjective(b, net, data(), evalBatch),
  });
} catch (err) {
  console.error((err as Error).message); // one line: why this backend cannot run here
  process.exit(1);
}
const { backend, value: objective } = opened;
const times: number[] = [];
const cpuTimes: number[] = [];
// The first gradient warms up (kernel set-up, memory growth) and is timed only when REPEATS is 0 (a peak-RSS run).
for (let r = 0; r <= repeats; r++) {
  // A new θ each time, as at each iterate: the TF.js objective keeps MNIST-FC's first-layer outputs at the last θs.
  const theta = initialParameters(net.variables, r);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await objective.lossAndGradient(theta);
  const cpu = process.cpuUsage(cpuStart);
  if (r === 0 && repeats > 0) continue;
  times.push((performance.now() - start) / 1000);
  cpuTimes.push((cpu.user + cpu.system) / 1e6);
}
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = median(times);
console.log(JSON.stringify({
  backend: describeBackend(backend), model, examples, eval_batch: evalBatch, seconds, examples_per_second: examples / seconds,
  cpu_seconds: median(cpuTimes), peak_rss_mb: process.resourceUsage().maxRSS / 1024,
}));
await objective.dispose();
