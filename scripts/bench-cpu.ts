// What a CPU can do, for the README's table: per network, examples/s of a full-dataset loss + gradient on
// this machine's default engine (scripts/bench-models, on enough examples that the per-call overhead is
// small: 11,000 for MNIST-FC, 2,000 for LeNet, 250 for the CIFAR networks), then seconds per LCA row and
// each shipped config's full compute, extrapolated to the paper's training sets (55,000 MNIST, 45,000 CIFAR-10).
//   node dist/scripts/bench-cpu.js [--backend wasm] [model …]
// A row costs at least 2 gradients (Simpson's midpoint and θ_{t+1}; adaptive adds 2^k more when it
// doubles); compute's first row costs one more. Prints the markdown table the README shows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { MODEL_NAMES } from '../src/config/schema.js';
import { networkNamed } from '../src/models/registry.js';
import { iterationsPerEpoch } from '../src/train/loop.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const flag = (name: string, fallback: string): string => {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? process.argv[k + 1] : fallback;
};
const backend = flag('backend', 'wasm');
// [examples, evaluation batch] per network: the configs' batches where wasm's 4 GB heap allows.
const SIZES: Record<string, [number, number]> = { 'mnist-fc': [11000, 11000], 'mnist-lenet': [2000, 1000] };
const sizes = (model: string): [number, number] => SIZES[model] ?? [250, 250];
const chosen = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const models = chosen.length > 0 ? chosen : [...MODEL_NAMES];

/** The paper's training sets: 60,000 − 5,000 MNIST images, 50,000 − 5,000 CIFAR-10 images. */
const trainCount = (model: string) => (networkNamed(model as never).inputShape[2] === 3 ? 45000 : 55000);

function duration(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  if (s < 3 * 86400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(0)} days`;
}

const rates = new Map<string, { rate: number; step: number }>();
for (const model of models) {
  const [examples, evalBatch] = sizes(model).map(String);
  const out = spawnSync(process.execPath, [path.join(root, 'dist/scripts/bench-models.js'), '--backend', backend, '--examples', examples, '--eval-batch', evalBatch, model], { cwd: root, encoding: 'utf8' });
  try {
    const r = JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as { examples_per_second: number; step_s: number };
    rates.set(model, { rate: r.examples_per_second, step: r.step_s });
  } catch {
    console.error(`${model}: ${(out.stderr.trim().split('\n').pop() ?? `exit ${out.status}`).slice(0, 200)}`);
  }
}

const [load1] = os.loadavg();
console.log(`Engine ${backend}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), load average ${load1.toFixed(1)}, ${new Date().toISOString().slice(0, 10)}; ` +
  `gradients measured on ${models.map((m) => `${sizes(m)[0]} examples in batches of ${sizes(m)[1]} (${m})`).join(', ')}.\n`);
console.log('| network | examples/s (gradient) | s per full-data gradient | s per LCA row (≥ 2 gradients) |');
console.log('|---|---|---|---|');
for (const [model, { rate }] of rates) {
  const gradient = trainCount(model) / rate;
  console.log(`| ${model} | ${rate.toFixed(1)} | ${gradient.toFixed(1)} | ${(2 * gradient).toFixed(1)} |`);
}
console.log('\n| config | network | rows (iterations) | training (s per step × steps) | full `lca compute` (≥ 2 gradients per row) |');
console.log('|---|---|---|---|---|');
for (const file of fs.readdirSync(path.join(root, 'configs')).filter((f) => f.endsWith('.yaml')).sort()) {
  const config = loadConfig(path.join(root, 'configs', file), {});
  const measured = rates.get(config.model);
  if (!measured) continue;
  const rows = config.iterations ?? (config.epochs ?? 1) * iterationsPerEpoch(trainCount(config.model), config.batch_size);
  const gradient = trainCount(config.model) / measured.rate;
  console.log(`| ${file} | ${config.model} | ${rows} | ${duration(rows * measured.step)} | ${duration((2 * rows + 1) * gradient)} |`);
}
