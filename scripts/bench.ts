// Benchmark of lca's engines against a PyTorch peer (Debian's python3-torch with OpenBLAS, scripts/peer/)
// on the same machine, per network (MNIST-FC, MNIST-LeNet, CIFAR-ResNet-20, CIFAR-AllCNN), in one run:
//   1. gradient: examples/s of one full-dataset loss + gradient, ONNX Runtime with 1 and 2 threads, and with
//      2 sessions of cores/2 threads each (--sessions; 0: not measured), and any TF.js backend named by
//      --tfjs, against the peer with 1 and 2 threads, with each process's peak RSS; the CNNs' gradients and
//      rows span 2 evaluation batches at least, so that sessions have batches to share;
//   2. lca row: seconds per row of `lca compute --method simpson` on a small run (2 full-dataset gradients
//      per row, plus the range's first one), against the peer timing the same 2·rows + 1 gradients on the
//      same examples and batches, divided by the rows alike; with --workers N also both cores used by
//      processes: `lca compute --workers N` (N processes of cores/N threads, each its own rows and range
//      start) against N peer processes of 1 thread timing the same gradients at once (use more --rows:
//      a worker's start-up and extra gradient are spread over its rows);
//   3. peak RSS at the paper's evaluation batch (2,500) where the gradient rows use a smaller one (AllCNN):
//      one cold gradient on ONNX Runtime with the most threads asked for (AllCNN: 6.2 GB on 2026-11-30).
// Every figure is also a ratio to the best peer (>1: lca is slower), since a shared machine makes lone
// times unreliable; the load average is printed before and after. Not a test.
//   npm run bench [-- --models mnist-fc,cifar-resnet20 --only gradient,lca,rss --threads 1,2 --sessions 2 --repeats 2 --rows 4 --workers 2 --tfjs wasm
//                     --cifar-allcnn-rss-batch 1000]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shardRange } from '../src/lca/schedule.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const flag = (name: string, fallback: string): string => {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? process.argv[k + 1] : fallback;
};
const list = (name: string, fallback: string): string[] => flag(name, fallback).split(',').filter((v) => v.length > 0);
const repeats = Number(flag('repeats', '2'));
const only = list('only', 'gradient,lca,rss');
const threadCounts = list('threads', '1,2').map(Number);
/** Sessions of the ONNX Runtime row that evaluates batches at once (`--sessions`); 0: not measured. */
const sessions = Number(flag('sessions', '2'));
/** Processes of the lca-row measure by processes; 0: not measured. */
const workers = Number(flag('workers', '0'));
const tfjs = list('tfjs', '');
const lca = path.join(root, 'bin', 'lca.js');
const python = '/usr/bin/python3';
const fixtureImages = path.join(root, 'fixtures/fashion-mnist-subset/train-images-idx3-ubyte.gz');

/**
 * Per network: the peer's name; the gradient's examples and evaluation batch (the paper's 2,500 for the
 * CIFAR networks, ResNet-20's peak RSS at it being a target; AllCNN at 2,500 takes minutes per gradient,
 * so 500 by default, and `rssBatch` measures its peak RSS at 2,500 apart); and the LCA-row run: dataset,
 * training examples evaluated (a seeded --subset), batch. Examples are 2 batches at least, as in any real
 * compute (ResNet-20 on CIFAR-10's 45,000: 18 batches of 2,500).
 */
const SETUP: Record<string, { peer: string; examples: number; batch: number; rssBatch?: number; dataset: string; lcaExamples: number; lcaBatch: number }> = {
  'mnist-fc': { peer: 'fc', examples: 55000, batch: 11000, dataset: 'fashion-mnist-fixture', lcaExamples: 10000, lcaBatch: 10000 },
  'mnist-lenet': { peer: 'lenet', examples: 11000, batch: 1000, dataset: 'fashion-mnist-fixture', lcaExamples: 2000, lcaBatch: 1000 },
  'cifar-resnet20': { peer: 'resnet20', examples: 5000, batch: 2500, dataset: 'synthetic-cifar', lcaExamples: 1000, lcaBatch: 500 },
  'cifar-allcnn': { peer: 'allcnn', examples: 1000, batch: 500, rssBatch: 2500, dataset: 'synthetic-cifar', lcaExamples: 500, lcaBatch: 250 },
};
const models = list('models', Object.keys(SETUP).join(','));
for (const model of models) if (!SETUP[model]) throw new Error(`--models: unknown network ${model} (${Object.keys(SETUP).join(', ')})`);
const rows = Number(flag('rows', '3'));
for (const model of models) {
  const setup = SETUP[model];
  setup.examples = Number(flag(`${model}-examples`, String(setup.examples)));
  setup.batch = Number(flag(`${model}-batch`, String(setup.batch)));
  const rssBatch = flag(`${model}-rss-batch`, String(setup.rssBatch ?? ''));
  setup.rssBatch = rssBatch === '' ? undefined : Number(rssBatch);
}

interface Row { model: string; what: string; who: string; examples: number; batch: number; seconds: number; rate: number; unit: string; cpu?: number; rss?: number; note?: string }
const results: Row[] = [];
/** Keeps a row for the table and logs it to stderr at once, so that a run cut short keeps what it measured. */
function record(row: Row): void {
  results.push(row);
  console.error(`measured ${JSON.stringify(row)}`);
}

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
const why = (r: { stderr: string }) => (r.stderr.trim().split('\n').pop() ?? '').slice(0, 200);
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) console.error('skip pytorch peer: python3-torch is not installed (run scripts/install-peer.sh as root)');

/** The peer script's arguments: `perRepeat` gradients in a row on `n` examples in batches of `batch`. */
const peerArgs = (model: string, n: number, batch: number, threads: number, perRepeat: number): string[] =>
  [path.join(root, 'scripts/peer/gradient.py'), SETUP[model].peer, String(n), String(repeats), String(batch), String(threads), fixtureImages, String(perRepeat)];

/** The peer's seconds for `perRepeat` gradients in a row on `n` examples in batches of `batch` (median of repeats), and its peak RSS. */
function peer(model: string, n: number, batch: number, threads: number, perRepeat: number): { who: string; seconds: number; cpu: number; rss: number } | null {
  if (!hasTorch) return null;
  const r = run(python, peerArgs(model, n, batch, threads, perRepeat));
  const j = lastJson(r.stdout);
  if (!r.ok || !j) {
    console.error(`skip pytorch ${model} (${threads} threads): ${why(r)}`);
    return null;
  }
  return { who: String(j.backend), seconds: Number(j.seconds), cpu: Number(j.cpu_seconds), rss: Number(j.peak_rss_mb) };
}

/**
 * One peer process of 1 thread per entry of `perProcess`, all at once, the k-th timing `perProcess[k]`
 * gradients in a row; the slowest one's seconds, as `lca compute --workers` ends with its slowest worker.
 */
async function peerProcesses(model: string, n: number, batch: number, perProcess: number[]): Promise<{ who: string; seconds: number } | null> {
  if (!hasTorch) return null;
  const results = await Promise.all(perProcess.map((gradients) => new Promise<{ ok: boolean; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(python, peerArgs(model, n, batch, 1, gradients), { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ ok: code === 0, stdout, stderr }));
  })));
  const json = results.map((r) => lastJson(r.stdout));
  const failed = results.findIndex((r, k) => !r.ok || !json[k]);
  if (failed >= 0) {
    console.error(`skip pytorch ${model} (${perProcess.length} processes): ${why(results[failed])}`);
    return null;
  }
  return { who: String(json[0]!.backend).replace('(1 thread)', `(${perProcess.length} processes × 1 thread)`), seconds: Math.max(...json.map((j) => Number(j!.seconds))) };
}

const engines: { backend: string; threads?: number; sessions?: number }[] = [
  ...threadCounts.map((threads) => ({ backend: 'onnxruntime', threads })),
  ...(sessions > 1 ? [{ backend: 'onnxruntime', sessions }] : []),
  ...tfjs.map((backend) => ({ backend })),
];
const loadBefore = load();
for (const model of models) {
  const { examples, batch, dataset, lcaExamples, lcaBatch } = SETUP[model];
  if (only.includes('gradient')) {
    for (const { backend, threads, sessions: count } of engines) {
      const r = run(process.execPath, [path.join(root, 'dist/scripts/bench-gradient.js'), backend, String(examples), String(repeats), String(batch), model, threads ? String(threads) : '', ...(count ? [String(count)] : [])]);
      const j = lastJson(r.stdout);
      if (!r.ok || !j) console.error(`skip ${backend} ${model}: ${why(r)}`);
      else record({ model, what: 'gradient', who: String(j.backend), examples, batch, seconds: Number(j.seconds), rate: examples / Number(j.seconds), unit: 'examples/s', cpu: Number(j.cpu_seconds), rss: Number(j.peak_rss_mb) });
    }
    for (const threads of threadCounts) {
      const p = peer(model, examples, batch, threads, 1);
      if (p) record({ model, what: 'gradient', who: p.who, examples, batch, seconds: p.seconds, rate: examples / p.seconds, unit: 'examples/s', cpu: p.cpu, rss: p.rss });
    }
  }
  const { rssBatch } = SETUP[model];
  if (only.includes('rss') && rssBatch !== undefined) {
    const threads = String(Math.max(...threadCounts));
    const r = run(process.execPath, [path.join(root, 'dist/scripts/bench-gradient.js'), 'onnxruntime', String(rssBatch), '0', String(rssBatch), model, threads]);
    const j = lastJson(r.stdout);
    if (!r.ok || !j) console.error(`skip peak RSS ${model} at batch ${rssBatch}: ${why(r)}`);
    else record({ model, what: 'peak RSS', who: String(j.backend), examples: rssBatch, batch: rssBatch, seconds: Number(j.seconds), rate: rssBatch / Number(j.seconds), unit: 'examples/s', rss: Number(j.peak_rss_mb), note: 'one cold gradient' });
  }
  if (only.includes('lca')) {
    // A small run; simpson = exactly 2 gradients per row, plus the range's first.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lca-bench-${model}-`));
    const runDir = path.join(dir, 'run');
    const trained = run(process.execPath, [lca, 'train', '--model', model, '--dataset', dataset, '--iterations', String(rows),
      '--eval-batch-size', String(lcaBatch), '--out', runDir, '--log-level', 'warn']);
    if (!trained.ok) console.error(`skip lca compute ${model}: training failed: ${why(trained)}`);
    else {
      const computes: { backend: string; threads?: number; sessions?: number; processes?: number }[] = [...engines, ...(workers > 1 ? [{ backend: 'onnxruntime', processes: workers }] : [])];
      for (const { backend, threads, sessions: count, processes } of computes) {
        const r = run(process.execPath, [lca, 'compute', '--run', runDir, '--method', 'simpson', '--backend', backend, '--force', '--subset', String(lcaExamples),
          ...(threads ? ['--threads', String(threads)] : []), ...(count ? ['--sessions', String(count)] : []), ...(processes ? ['--workers', String(processes)] : []), '--log-level', 'info']);
        // compute's own timer: from the first gradient to the last part written, the range's first gradient included.
        const logs = r.stderr.split('\n').map((line) => { try { return JSON.parse(line) as Record<string, unknown>; } catch { return null; } });
        // The last summary: with --workers each worker's own comes first, relayed, and the parent's (over all of them) last.
        const summary = logs.filter((j) => typeof j?.seconds === 'number' && typeof j?.computed === 'number').pop();
        // `backend …`, or a worker's relayed `worker k/N: backend …`.
        const ran = logs.map((j) => (typeof j?.msg === 'string' ? /^(?:worker \d+\/\d+: )?backend (.*)$/.exec(j.msg)?.[1] : undefined)).find(Boolean);
        if (!r.ok || !summary) console.error(`skip lca compute ${model} (${backend}): ${why(r)}`);
        else {
          const seconds = Number(summary.seconds) / rows;
          const who = `lca compute${processes ? ` --workers ${processes}` : ''}: ${ran ?? backend}${processes ? ' each' : ''}`;
          record({ model, what: 'lca row', who, examples: lcaExamples, batch: lcaBatch, seconds, rate: 1 / seconds, unit: 'rows/s',
            note: `${rows} rows, ${String(summary.gradients)} gradients; ${(r.seconds / rows).toFixed(3)} s/row with start-up` });
        }
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    // The peer times what the compute did: 2 gradients per row and the range's first, per row alike.
    for (const threads of threadCounts) {
      const p = peer(model, lcaExamples, lcaBatch, threads, 2 * rows + 1);
      if (p) record({ model, what: 'lca row', who: `${p.who}: ${2 * rows + 1} gradients / ${rows} rows`, examples: lcaExamples, batch: lcaBatch, seconds: p.seconds / rows, rate: rows / p.seconds, unit: 'rows/s' });
    }
    if (workers > 1) {
      // As the workers split the rows: each its shard's rows and its range's first gradient.
      const count = Math.min(workers, rows);
      const perProcess = Array.from({ length: count }, (_, k) => shardRange(0, rows - 1, { index: k, count })!).map(([a, b]) => 2 * (b - a + 1) + 1);
      const p = await peerProcesses(model, lcaExamples, lcaBatch, perProcess);
      if (p) record({ model, what: 'lca row', who: `${p.who}: ${perProcess.join(' + ')} gradients / ${rows} rows`, examples: lcaExamples, batch: lcaBatch, seconds: p.seconds / rows, rate: rows / p.seconds, unit: 'rows/s' });
    }
  }
}

console.log(`# load average ${loadBefore} before, ${load()} after, on ${os.cpus().length} cores; ratio = best peer's rate / this rate (>1: slower than the peer)`);
console.log(['network', 'measure', 'who', 'examples', 'batch', 'seconds', 'rate', 'unit', 'ratio_to_best_pytorch', 'cpu_seconds', 'peak_rss_mb', 'note'].join('\t'));
for (const r of results) {
  const best = Math.max(...results.filter((p) => p.model === r.model && p.what === r.what && p.who.startsWith('pytorch')).map((p) => p.rate));
  const ratio = Number.isFinite(best) ? (best / r.rate).toFixed(2) : '';
  console.log([r.model, r.what, r.who, r.examples, r.batch, r.seconds.toFixed(3), r.rate < 10 ? r.rate.toFixed(3) : Math.round(r.rate), r.unit, ratio,
    r.cpu === undefined ? '' : r.cpu.toFixed(3), r.rss === undefined ? '' : r.rss.toFixed(0), r.note ?? ''].join('\t'));
}
