// `lca status` through the real binary: the training, and per method the rows computed (ranges,
// parts), missing, and their grounding so far, in every format; read-only and exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lca } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-status-');
const run = path.join(tmp, 'fc');

test('status of a fresh run: trained, nothing computed', () => {
  const trained = lca(['train', '--config', 'configs/mnist-fc.yaml', '--dataset', 'fashion-mnist-fixture', '--iterations', '6', '--eval-batch-size', '5000', '--backend', 'wasm', '--out', run]);
  assert.equal(trained.code, 0, trained.stderr);
  const result = lca(['status', '--run', run, '--format', 'json']);
  assert.equal(result.code, 0, result.stderr);
  const status = JSON.parse(result.stdout);
  assert.equal(status.iterations, 6);
  assert.equal(status.train_backend, 'tfjs wasm 4.22.0');
  assert.equal(status.dataset, 'fashion-mnist-fixture');
  // Methods never computed are not "missing 6": they were never asked for (issue 13 item 7).
  assert.deepEqual(status.tables.methods, []);
  assert.equal(status.methods_computed, 'none yet (lca compute)');
  assert.deepEqual(status.tables.parts, []);
});

test('status of a partly computed run names ranges, parts, gaps, errors and leftovers', () => {
  for (const range of ['0:2', '4:6']) {
    const computed = lca(['compute', '--run', run, '--iterations', range, '--part-size', '1', '--backend', 'wasm']);
    assert.equal(computed.code, 0, computed.stderr);
  }
  fs.writeFileSync(path.join(run, 'lca', 'adaptive', '.part-000002-000003.arrow.elsewhere.1.tmp'), 'a killed compute\'s half part');
  const status = JSON.parse(lca(['status', '--run', run, '--format', 'json']).stdout);
  const adaptive = status.tables.methods.find((m: { method: string }) => m.method === 'adaptive');
  assert.equal(adaptive.computed, 4);
  assert.equal(adaptive.missing, 2);
  assert.equal(adaptive.parts, 4);
  assert.equal(adaptive.computed_ranges, '0-1, 4-5');
  assert.equal(adaptive.missing_ranges, '2-3');
  assert.equal(adaptive.temporary_files, 1);
  assert.equal(adaptive.compute_backend, 'tfjs wasm 4.22.0');
  assert.ok(adaptive.max_abs_error > 0 && adaptive.max_abs_error <= 1e-3, `max |error| ${adaptive.max_abs_error}`);
  assert.ok(adaptive.cumulative_relative_error >= 0 && adaptive.cumulative_relative_error < 0.01);
  assert.deepEqual(status.tables.parts.map((p: { file: string; rows: number }) => [p.file, p.rows]),
    [['part-000000-000000.arrow', 1], ['part-000001-000001.arrow', 1], ['part-000004-000004.arrow', 1], ['part-000005-000005.arrow', 1]]);

  const tsv = lca(['status', '--run', run, '--format', 'tsv']);
  assert.equal(tsv.code, 0);
  assert.equal(tsv.stderr, '');
  const lines = tsv.stdout.trim().split('\n');
  assert.equal(lines[0], 'method\tcomputed\tmissing\tparts\tcomputed_ranges\tmissing_ranges\tmax_abs_error\tcumulative_relative_error\tcompute_backend\ttemporary_files\tsubset\tstore');
  assert.equal(lines.length, 2, 'one computed method');
  assert.match(lines[1], /^adaptive\t4\t2\t4\t0-1, 4-5\t2-3\t.*\tfull$/); // computed with the default --store full
  const csv = lca(['status', '--run', run, '--format', 'csv', '--table', 'parts']);
  assert.equal(csv.stdout.split('\n')[0], 'method,file,first,last,rows,bytes');
  const table = lca(['status', '--run', run, '--format', 'table']);
  assert.match(table.stdout, /^iterations\s+6$/m);
  assert.match(table.stdout, /^adaptive\s+4\s+2\s+4\s+0-1, 4-5\s+2-3\s/m);
  assert.doesNotMatch(table.stdout, /\x1b\[/);
});

test('status of something that is not a run is a one-line error, exit 1', () => {
  const result = lca(['status', '--run', tmp]);
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim(), `lca: ${tmp}: not a run directory (no manifest.json); create one with \`lca train\``);
});
