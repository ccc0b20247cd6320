// Times lca's kernel replacements against the stock TF.js kernels: wasm (matMul, conv gradients, BN gradient) and cpu (dW).
//
// Usage: node dist/scripts/bench-kernels.js [--reps N]. Prints a TSV table to stdout.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import { replaceBatchNormGradient, restoreBatchNormGradient } from '../src/backend/kernels/batch_norm_grad.js';
import { replaceKernels, restoreKernels } from '../src/backend/kernels/index.js';

interface Case {
  name: string;
  gflop: number;
  /** Runs the measured computation once and returns what to dispose. */
  run: () => tf.Tensor | tf.Tensor[];
}

const repsArg = process.argv.indexOf('--reps');
const REPS = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 3;

/** Median milliseconds of `reps` runs after one warm-up; undefined if the kernel is missing. */
function time(run: () => tf.Tensor | tf.Tensor[], reps: number): number | string {
  const once = (): number => {
    const t0 = performance.now();
    const out = run();
    for (const t of [out].flat()) t.dataSync(); // wasm is synchronous, but read back to be sure
    const ms = performance.now() - t0;
    tf.dispose(out);
    return ms;
  };
  try {
    once();
  } catch (err) {
    return err instanceof Error && /not registered/.test(err.message) ? 'missing' : 'error';
  }
  const times = Array.from({ length: reps }, once).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

function matMulCases(): Case[] {
  const x = tf.randomNormal([11000, 784]); // a batch of MNIST inputs
  const dy = tf.randomNormal([11000, 100]);
  const w = tf.randomNormal([784, 100]);
  const gflop = (2 * 11000 * 784 * 100) / 1e9;
  return [
    { name: 'matMul xᵀ·dy [11000×784]ᵀ·[11000×100]', gflop, run: () => tf.matMul(x, dy, true, false) },
    { name: 'matMul dy·Wᵀ [11000×100]·[784×100]ᵀ', gflop, run: () => tf.matMul(dy, w, false, true) },
  ];
}

interface ConvShape {
  name: string;
  x: [number, number, number, number];
  k: number;
  cout: number;
  stride: number;
  pad: 'same' | 'valid';
}

function convShapes(batch: number): ConvShape[] {
  return [
    { name: `LeNet conv1 5×5 1→20 valid, B=${batch}`, x: [batch, 28, 28, 1], k: 5, cout: 20, stride: 1, pad: 'valid' },
    { name: `LeNet conv2 5×5 20→50 valid, B=${batch}`, x: [batch, 12, 12, 20], k: 5, cout: 50, stride: 1, pad: 'valid' },
    { name: `ResNet 3×3 16→16 same s1, B=${batch}`, x: [batch, 32, 32, 16], k: 3, cout: 16, stride: 1, pad: 'same' },
    { name: `ResNet 3×3 16→32 same s2, B=${batch}`, x: [batch, 32, 32, 16], k: 3, cout: 32, stride: 2, pad: 'same' },
    { name: `ResNet 1×1 16→32 same s2, B=${batch}`, x: [batch, 32, 32, 16], k: 1, cout: 32, stride: 2, pad: 'same' },
    { name: `ResNet 3×3 64→64 same s1, B=${batch}`, x: [batch, 8, 8, 64], k: 3, cout: 64, stride: 1, pad: 'same' },
  ];
}

function convCases(shapes: ConvShape[], which: 'filter' | 'input'): Case[] {
  return shapes.map((s) => {
    const x = tf.randomNormal(s.x) as tf.Tensor4D;
    const filterShape: [number, number, number, number] = [s.k, s.k, s.x[3], s.cout];
    const filter = tf.randomNormal(filterShape) as tf.Tensor4D;
    const y = tf.conv2d(x, filter, s.stride, s.pad);
    const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
    const gflop = (2 * y.size * s.k * s.k * s.x[3]) / 1e9;
    y.dispose();
    const attrs = { strides: s.stride, pad: s.pad, dataFormat: 'NHWC' };
    const run =
      which === 'filter'
        ? () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape }) as tf.Tensor
        : () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, { ...attrs, inputShape: s.x }) as tf.Tensor;
    return { name: `${which === 'filter' ? 'dW' : 'dx'} ${s.name}`, gflop, run };
  });
}

function batchNormCase(): Case {
  const x = tf.randomNormal([250, 32, 32, 16]) as tf.Tensor4D;
  const gamma = tf.randomNormal([16]);
  const beta = tf.randomNormal([16]);
  // Core's gradient fails for a batchNorm without scale and offset, so give it both, as BN layers do.
  const grad = tf.grads((x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.sum(tf.mul(tf.batchNorm(x, mean, variance, beta, gamma, 1e-3), x));
  });
  return { name: 'BN training-mode gradient, x [250,32,32,16]', gflop: 0, run: () => grad([x, gamma, beta]) };
}

function row(c: Case, stock: number | string, replaced: number | string): string {
  const fmt = (v: number | string) => (typeof v === 'number' ? v.toFixed(1) : v);
  const speedup = typeof stock === 'number' && typeof replaced === 'number' ? `${(stock / replaced).toFixed(1)}×` : '–';
  const rate = c.gflop > 0 && typeof replaced === 'number' ? (c.gflop / (replaced / 1000)).toFixed(2) : '–';
  return [c.name, fmt(stock), fmt(replaced), speedup, rate].join('\t');
}

/** Times each case with the stock kernels, then with lca's, on the current backend. */
function compare(backend: string, cases: Case[], reps: number, withGradient = false): void {
  for (const c of cases) {
    restoreKernels(backend);
    if (withGradient) restoreBatchNormGradient();
    const stock = time(c.run, reps);
    replaceKernels(backend);
    if (withGradient) replaceBatchNormGradient();
    const replaced = time(c.run, reps);
    process.stdout.write(`${backend}\t${row(c, stock, replaced)}\n`);
  }
}

async function main(): Promise<void> {
  tf.enableProdMode();
  process.stdout.write(['backend', 'case', 'stock ms', 'lca ms', 'speedup', 'lca GFLOP/s'].join('\t') + '\n');
  await tf.setBackend('wasm');
  compare('wasm', matMulCases(), REPS);
  compare('wasm', convCases(convShapes(250), 'filter'), REPS);
  compare('wasm', convCases(convShapes(250).slice(1), 'input'), REPS);
  compare('wasm', [batchNormCase()], REPS, true);
  // Stock cpu dW runs at 0.006–0.02 GFLOP/s (tfjs-probe.md §3): a small batch, one run.
  await tf.setBackend('cpu');
  compare('cpu', convCases(convShapes(4), 'filter'), 1);
}

await main();
