// Where one network's gradient spends its time on ONNX Runtime: runs the gradient model over a batch of
// synthetic (CIFAR) or fixture (MNIST) images with ORT's per-op profiling, then sums the kernel times by
// op type and by node, largest first. A tuning aid, not a test.
//   node dist/scripts/profile-gradient.js MODEL [BATCH] [THREADS] [RUNS]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelName } from '../src/config/schema.js';
import { generateSyntheticCifar } from '../src/data/synthetic-cifar.js';
import { gradientGraph } from '../src/engine/autodiff.js';
import { networkSource } from '../src/engine/objective.js';
import { openGradientSession } from '../src/engine/session.js';
import { initialParameters } from '../src/models/init.js';
import { layoutOf } from '../src/models/network.js';
import { networkNamed } from '../src/models/registry.js';

const [modelArg, batchArg, threadsArg, runsArg] = process.argv.slice(2);
const net = networkNamed((modelArg ?? 'cifar-resnet20') as ModelName);
const batch = Number(batchArg ?? 250);
const runs = Number(runsArg ?? 3);
const source = networkSource(net);
const pixels = net.inputShape.reduce((a, b) => a * b, 1);
const images = net.inputShape[2] === 3
  ? generateSyntheticCifar({ trainCount: batch, valCount: 0 }).train.images
  : Float32Array.from({ length: batch * pixels }, (_, i) => ((i * 2654435761) % 256) / 255);
const labels = BigInt64Array.from({ length: batch }, (_, i) => BigInt(i % net.numClasses));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-profile-'));
const model = gradientGraph(source.forward, { logits: source.logits, parameters: source.slots.map((s) => s.name) });
const session = await openGradientSession(model, { provider: 'cpu', threads: Number(threadsArg ?? 1), profile: path.join(dir, 'p') });
const theta = initialParameters(net.variables, 1);
const parameters = layoutOf(net.variables).slots.map((s) => theta.subarray(s.offset, s.offset + s.size));
const times: number[] = [];
for (let r = 0; r < runs; r++) {
  const start = performance.now();
  await session.run({ images, labels }, parameters);
  times.push((performance.now() - start) / 1000);
}
await session.release();
const file = fs.readdirSync(dir).map((f) => path.join(dir, f))[0];
interface Event { cat: string; name: string; dur: number; args?: { op_name?: string; input_type_shape?: Record<string, number[]>[] } }
const shapesOf = (e: Event) => (e.args?.input_type_shape ?? []).map((s) => Object.values(s)[0].join('x')).join(' ');
const events = (JSON.parse(fs.readFileSync(file, 'utf8')) as Event[]).filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
fs.rmSync(dir, { recursive: true, force: true });
const total = events.reduce((s, e) => s + e.dur, 0) / runs;
const table = (key: (e: Event) => string, top: number) => {
  const sums = new Map<string, number>();
  for (const e of events) sums.set(key(e), (sums.get(key(e)) ?? 0) + e.dur / runs);
  return [...sums].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `${(us / 1000).toFixed(1).padStart(9)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
};
console.log(`${net.name} batch ${batch}: runs ${times.map((t) => t.toFixed(3)).join(', ')} s; kernels ${(total / 1e6).toFixed(3)} s per run`);
console.log(`by op type:\n${table((e) => e.args?.op_name ?? '?', 25)}`);
console.log(`forward / backward:\n${table((e) => (e.name.startsWith('ad/') ? 'backward ' : 'forward ') + (e.args?.op_name ?? ''), 20)}`);
console.log(`by node:\n${table((e) => `${e.args?.op_name} ${e.name.replace(/_kernel_time$/, '')} ${shapesOf(e)}`, Number(process.env.TOP ?? 30))}`);
