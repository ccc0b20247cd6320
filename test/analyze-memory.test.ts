// Reports stream the matrix batch by batch: a 200 MB LCA matrix analyzed under a 32 MB JS heap
// limit succeeds, and the process's peak memory stays well below the matrix's size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from './helpers/cli.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { tempDir } from './helpers/temp-dir.js';

const TIME = '/usr/bin/time'; // GNU time reports the peak resident set size (%M, KiB)

test('helped and layers on a 200 MB matrix under a 32 MB heap, with bounded peak memory', async (t) => {
  const run = path.join(tempDir('lca-memory-'), 'run');
  const parameters = 500_000; // 2 MB per row, 100 rows = 200 MB of LCA values
  await writeAnalyzeRun(run, [{ name: 'big/kernel', shape: [1000, 499] }, { name: 'big/bias', shape: [1000] }], 100, (step, out) => {
    let state = (step + 1) * 2654435761;
    for (let i = 0; i < parameters; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      out[i] = (state / 2 ** 32 - 0.45) * 1e-6;
    }
  });
  t.after(() => fs.rmSync(path.dirname(run), { recursive: true, force: true }));
  const matrixMb = (100 * parameters * 4) / 2 ** 20;
  for (const report of ['helped', 'layers']) {
    const args = ['--max-old-space-size=32', path.join(PROJECT_ROOT, 'bin/lca.js'), 'analyze', '--run', run, '--report', report, '--format', 'json'];
    const hasTime = fs.existsSync(TIME);
    const child = hasTime
      ? spawnSync(TIME, ['-f', 'peak_kib=%M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
      : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(child.status, 0, child.stderr);
    assert.ok(JSON.parse(child.stdout).report.startsWith(report));
    if (!hasTime) {
      t.diagnostic(`${TIME} is absent (Debian package "time"): peak memory not measured`);
      continue;
    }
    const peakMb = Number(/peak_kib=(\d+)/.exec(child.stderr)![1]) / 1024;
    t.diagnostic(`${report}: peak RSS ${peakMb.toFixed(0)} MB for a ${matrixMb.toFixed(0)} MB matrix`);
    assert.ok(peakMb < matrixMb, `peak RSS ${peakMb.toFixed(0)} MB is not below the matrix size ${matrixMb.toFixed(0)} MB`);
  }
});
