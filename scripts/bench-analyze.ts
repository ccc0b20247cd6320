// Benchmark: MB/s of `lca analyze` reports streaming the LCA matrix (runs/fc when present, and a
// generated matrix), and peak RSS of a child limited to a 64 MB JS heap on a ~200 MB matrix:
// typed arrays live outside the heap, so RSS is the bound that matters. Not a test.
//   node dist/scripts/bench-analyze.js [--run runs/fc] [--mb 200] [--repeats 3]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReportName } from '../src/analyze/report-names.js';
import { runAnalysis } from '../src/jobs/analyze.js';
import { readManifest } from '../src/store/manifest.js';
import { writeAnalyzeRun } from '../test/helpers/analyze-run.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string, fallback: string) => {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? process.argv[k + 1] : fallback;
};
const repeats = Number(arg('repeats', '3'));
const megabytes = Number(arg('mb', '200'));

async function throughput(run: string, report: ReportName): Promise<number> {
  const m = readManifest(run);
  const bytes = m.training.iterations * m.model.parameters * 4;
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await runAnalysis({ run, report });
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return bytes / 1e6 / best;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-bench-analyze-'));
try {
  // K = 500,000 parameters in 4 variables; rows of pseudo-random LCA (a cheap LCG, not the point here).
  const K = 500_000;
  const T = Math.max(1, Math.round((megabytes * 1e6) / (4 * K)));
  const big = path.join(tmp, 'big');
  let state = 12345;
  await writeAnalyzeRun(big, [
    { name: 'l1/kernel', shape: [400, 1000] }, { name: 'l1/bias', shape: [1000] },
    { name: 'l2/kernel', shape: [1000, 99] }, { name: 'l2/bias', shape: [1000] },
  ], T, (_, out) => {
    for (let i = 0; i < out.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      out[i] = (state / 2 ** 32 - 0.49) * 1e-6;
    }
  });
  const runs = [arg('run', path.join(root, 'runs/fc')), big].filter((r) => fs.existsSync(path.join(r, 'manifest.json')));
  for (const run of runs) {
    const m = readManifest(run);
    const mb = (m.training.iterations * m.model.parameters * 4) / 1e6;
    for (const report of ['helped', 'layers', 'concentration', 'sync', 'tails'] as ReportName[]) {
      console.log(`${run === big ? 'generated' : run}\t${mb.toFixed(0)} MB\t${report}\t${(await throughput(run, report)).toFixed(0)} MB/s`);
    }
  }
  for (const report of ['helped', 'layers']) {
    const child = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, '--max-old-space-size=64', path.join(root, 'bin/lca.js'), 'analyze', '--run', big, '--report', report, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const rssMb = Number(child.stderr.trim().split('\n').pop()) / 1024;
    console.log(`generated\t${megabytes} MB\t${report} with --max-old-space-size=64\texit ${child.status}\tpeak RSS ${rssMb.toFixed(0)} MB`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
