// Benchmark against a PyTorch peer (Debian's python3-torch with OpenBLAS) on the same machine, per
// network (MNIST-FC, MNIST-LeNet):
//   1. examples/s of one full-dataset loss + gradient, on every TF.js backend that loads and on the
//      peer with 1 and 2 threads;
//   2. seconds per LCA iteration: `lca compute --method simpson` (an adaptive iteration that does not
//      double: 2 full-dataset gradients + the integrator) on a small run trained on the bundled fixture,
//      alone and with `--workers 2`, against the peer's 2 gradients on the same examples and batches;
//   3. peak RSS of `lca compute` (MNIST-FC, LeNet, ResNet-20 on a synthetic-CIFAR subset), via /usr/bin/time -v.
// Every figure is also given as a ratio to the best peer (>1: lca is slower), since shared machines make
// lone times unreliable; the load average is printed with the table. Not a test.
//   npm run bench [-- --examples 55000 --repeats 3 --iterations 20 --only gradient,iteration,rss --models mnist-fc,mnist-lenet]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTO_ORDER } from '../src/backend/names.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const flag = (name: string, fallback: string): string => {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? process.argv[k + 1] : fallback;
};
const examples = Number(flag('examples', '55000'));
const repeats = Number(flag('repeats', '3'));
const iterations = Number(flag('iterations', '20'));
const only = flag('only', 'gradient,iteration,rss').split(',');
const models = flag('models', 'mnist-fc,mnist-lenet').split(',');
const lca = path.join(root, 'bin', 'lca.js');
const python = '/usr/bin/python3';
const FIXTURE_TRAIN = 10000;
const fixtureImages = path.join(root, 'fixtures/fashion-mnist-subset/train-images-idx3-ubyte.gz');

/** Per network: the peer's name, the evaluation batch (LeNet's 11,000 overflows wasm's 4 GB heap), and examples for the slow cpu backend. */
// `lcaExamples`: the training examples of the LCA-iteration run (a seeded --subset of the fixture for LeNet, to keep the bench short).
// `examples`: of the gradient measurement (LeNet's rate is the same on 11,000 as on 55,000, and a gradient takes ~20 s on wasm).
const SETUP: Record<string, { peer: string; examples: number; batch: number; cpuExamples: number; lcaIterations: number; lcaExamples: number }> = {
  'mnist-fc': { peer: 'fc', examples, batch: 11000, cpuExamples: 11000, lcaIterations: iterations, lcaExamples: FIXTURE_TRAIN },
  'mnist-lenet': { peer: 'lenet', examples: Math.min(examples, 11000), batch: 1000, cpuExamples: 1000, lcaIterations: Math.max(2, Math.round(iterations / 4)), lcaExamples: 2000 },
};

interface Row { model: string; what: string; backend: string; examples: number; seconds: number; rate: number; unit: string; note?: string }
const rows: Row[] = [];

function lastJson(text: string): Record<string, unknown> | null {
  for (const line of text.trim().split('\n').reverse()) {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch { /* not JSON */ }
  }
  return null;
}

function run(command: string, args: string[]): { ok: boolean; stdout: string; stderr: string; seconds: number } {
  const start = performance.now();
  const out = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { ok: out.status === 0, stdout: out.stdout, stderr: out.stderr, seconds: (performance.now() - start) / 1000 };
}
const why = (r: { stderr: string }) => (r.stderr.trim().split('\n').pop() ?? '').slice(0, 160);

const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) console.error('skip pytorch peer: python3-torch is not installed (run scripts/install-peer.sh as root)');

/** The peer's seconds for `perRepeat` gradients in a row on `n` examples (median of repeats). */
function peer(model: string, n: number, threads: number, perRepeat: number): { backend: string; seconds: number } | null {
  if (!hasTorch) return null;
  const r = run(python, [path.join(root, 'scripts/peer/gradient.py'), SETUP[model].peer, String(n), String(repeats), String(SETUP[model].batch), String(threads), fixtureImages, String(perRepeat)]);
  const j = lastJson(r.stdout);
  if (!r.ok || !j) {
    console.error(`skip pytorch ${model} (${threads} threads): ${why(r)}`);
    return null;
  }
  return { backend: String(j.backend), seconds: Number(j.seconds) };
}

for (const model of models) {
  const { examples, batch, cpuExamples, lcaIterations, lcaExamples } = SETUP[model];
  if (only.includes('gradient')) {
    for (const backend of AUTO_ORDER) {
      // The pure-JS cpu backend is 5–30× slower: fewer examples, one repeat; rates are comparable.
      const n = backend === 'cpu' ? Math.min(examples, cpuExamples) : examples;
      const r = run(process.execPath, [path.join(root, 'dist/scripts/bench-gradient.js'), backend, String(n), String(backend === 'cpu' ? 1 : repeats), String(batch), model]);
      const j = lastJson(r.stdout);
      if (!r.ok || !j) console.error(`skip ${backend} ${model}: ${why(r)}`);
      else rows.push({ model, what: 'gradient', backend: String(j.backend), examples: n, seconds: Number(j.seconds), rate: n / Number(j.seconds), unit: 'examples/s' });
    }
    for (const threads of [1, 2]) {
      const p = peer(model, examples, threads, 1);
      if (p) rows.push({ model, what: 'gradient', backend: p.backend, examples, seconds: p.seconds, rate: examples / p.seconds, unit: 'examples/s' });
    }
  }
  if (only.includes('iteration')) {
    // A small run on the fixture (10,000 training images); simpson = exactly 2 gradients per row.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lca-bench-${model}-`));
    const runDir = path.join(dir, 'run');
    const trained = run(process.execPath, [lca, 'train', '--model', model, '--dataset', 'fashion-mnist-fixture', '--iterations', String(lcaIterations),
      '--eval-batch-size', String(batch), '--backend', 'wasm', '--out', runDir, '--log-level', 'warn']);
    if (!trained.ok) console.error(`skip lca compute ${model}: training failed: ${why(trained)}`);
    else {
      for (const workers of [1, 2]) {
        const r = run(process.execPath, [lca, 'compute', '--run', runDir, '--method', 'simpson', '--backend', 'wasm', '--force',
          ...(lcaExamples < FIXTURE_TRAIN ? ['--subset', String(lcaExamples)] : []), ...(workers > 1 ? ['--workers', String(workers)] : []), '--log-level', 'info']);
        // compute's own timer: from the first gradient to the last part written (with workers, from their
        // start: each loads the backend and the data again); every range's first gradient included.
        const summary = r.stderr.split('\n').map((line) => { try { return JSON.parse(line) as Record<string, unknown>; } catch { return null; } })
          .find((j) => typeof j?.seconds === 'number' && typeof j?.computed === 'number');
        if (!r.ok || !summary) console.error(`skip lca compute ${model} (${workers} workers): ${why(r)}`);
        else {
          const seconds = Number(summary.seconds) / lcaIterations;
          rows.push({ model, what: 'lca iteration', backend: `lca compute wasm${workers > 1 ? ` --workers ${workers}` : ''}`, examples: lcaExamples, seconds, rate: 1 / seconds, unit: 'iterations/s',
            note: `${lcaIterations} rows${workers > 1 ? "" : `, ${String(summary.gradients)} gradients`}; ${(r.seconds / lcaIterations).toFixed(3)} s/row with start-up` });
        }
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    for (const threads of [1, 2]) {
      const p = peer(model, lcaExamples, threads, 2);
      if (p) rows.push({ model, what: 'lca iteration', backend: `${p.backend}: 2 gradients`, examples: lcaExamples, seconds: p.seconds, rate: 1 / p.seconds, unit: 'iterations/s' });
    }
  }
}

console.log(`# load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores; ratio = best peer's rate / this rate (>1: slower than the peer)`);
console.log(['network', 'measure', 'backend', 'examples', 'seconds', 'rate', 'unit', 'ratio_to_best_pytorch', 'note'].join('\t'));
for (const r of rows) {
  const best = Math.max(...rows.filter((p) => p.model === r.model && p.what === r.what && p.backend.startsWith('pytorch')).map((p) => p.rate));
  const ratio = Number.isFinite(best) ? (best / r.rate).toFixed(2) : '';
  console.log([r.model, r.what, r.backend, r.examples, r.seconds.toFixed(3), r.rate < 10 ? r.rate.toFixed(3) : Math.round(r.rate), r.unit, ratio, r.note ?? ''].join('\t'));
}

if (only.includes('rss')) {
  // Peak RSS of `lca compute` on small runs (2 rows): data, backend, heap and the integrator's vectors.
  const cases: { model: string; dataset: string; extra: string[] }[] = [
    { model: 'mnist-fc', dataset: 'fashion-mnist-fixture', extra: [] },
    { model: 'mnist-lenet', dataset: 'fashion-mnist-fixture', extra: ['--eval-batch-size', '1000'] },
    { model: 'cifar-resnet20', dataset: 'synthetic-cifar', extra: ['--eval-batch-size', '250'] },
  ];
  const time = '/usr/bin/time';
  if (!fs.existsSync(time)) console.error('skip peak RSS: /usr/bin/time is missing (apt-get install time)');
  else {
    console.log(['network', 'dataset', 'compute_args', 'peak_rss_mb'].join('\t'));
    for (const c of cases) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lca-rss-${c.model}-`));
      const runDir = path.join(dir, 'run');
      const subset = c.model === 'cifar-resnet20' ? ['--subset', '500'] : [];
      const trained = run(process.execPath, [lca, 'train', '--model', c.model, '--dataset', c.dataset, '--iterations', '2', ...c.extra, '--backend', 'wasm', '--out', runDir, '--log-level', 'warn']);
      const r = trained.ok ? run(time, ['-v', process.execPath, lca, 'compute', '--run', runDir, '--method', 'simpson', '--backend', 'wasm', ...subset, '--log-level', 'warn']) : trained;
      const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
      if (!r.ok || !kb) console.error(`skip peak RSS ${c.model}: ${why(r)}`);
      else console.log([c.model, c.dataset, [...c.extra, ...subset].join(' '), (Number(kb) / 1024).toFixed(0)].join('\t'));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
