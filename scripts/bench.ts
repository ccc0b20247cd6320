// Benchmark: examples per second of one full-dataset loss + gradient of MNIST-FC, on every TF.js
// backend that loads here and on a PyTorch peer (Debian's python3-torch) on the same machine.
// Reports ratios to the peer, since shared machines make lone times unreliable. Not a test.
//   npm run bench [-- --examples 55000 --repeats 3]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { AUTO_ORDER } from '../src/backend/names.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const argValue = (name: string, fallback: number) => {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? Number(process.argv[k + 1]) : fallback;
};
const examples = argValue('examples', 55000);
const repeats = argValue('repeats', 3);
const batch = 11000;

interface Result { backend: string; examples: number; seconds: number; examples_per_second: number }

function run(command: string, args: string[]): Result | string {
  const out = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Result;
  } catch {
    return (out.stderr.trim().split('\n').pop() ?? `exit ${out.status}`).slice(0, 160);
  }
}

const results: Result[] = [];
for (const backend of AUTO_ORDER) {
  // The pure-JS cpu backend is ~30× slower: measure it on fewer examples and compare rates.
  const n = backend === 'cpu' ? Math.min(examples, batch) : examples;
  const r = run(process.execPath, [path.join(root, 'dist/scripts/bench-gradient.js'), backend, String(n), String(backend === 'cpu' ? 1 : repeats), String(batch)]);
  if (typeof r === 'string') console.error(`skip ${backend}: ${r}`);
  else results.push(r);
}
const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) console.error('skip pytorch peer: python3-torch is not installed (run scripts/install-peer.sh as root)');
else {
  for (const threads of [1, 2]) {
    const r = run(python, [path.join(root, 'scripts/peer/fc_gradient.py'), String(examples), String(repeats), String(batch), String(threads), path.join(root, 'fixtures/fashion-mnist-subset/train-images-idx3-ubyte.gz')]);
    if (typeof r === 'string') console.error(`skip pytorch (${threads} threads): ${r}`);
    else results.push(r);
  }
}
const peer = results.filter((r) => r.backend.startsWith('pytorch')).sort((a, b) => b.examples_per_second - a.examples_per_second)[0];
console.log(['backend', 'examples', 'seconds', 'examples_per_second', 'ratio_to_best_pytorch'].join('\t'));
for (const r of results) {
  const ratio = peer ? (peer.examples_per_second / r.examples_per_second).toFixed(2) : '';
  console.log([r.backend, r.examples, r.seconds.toFixed(3), Math.round(r.examples_per_second), ratio].join('\t'));
}
