// End to end through the real binary: train → compute → analyze on the fixture, the formats that
// pipelines rely on, and a one-line error with the right exit code for each kind of bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { lca, PROJECT_ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-cli-');
const run = path.join(tmp, 'fc');
const trainArgs = ['train', '--config', 'configs/mnist-fc.yaml', '--dataset', 'fashion-mnist-fixture', '--iterations', '6', '--eval-batch-size', '5000', '--backend', 'wasm', '--out', run];
const noEscapes = (text: string) => assert.doesNotMatch(text, /\x1b\[/);

test('help documents every command and option', () => {
  const top = lca(['--help']);
  assert.equal(top.code, 0);
  for (const command of ['demo', 'train', 'compute', 'analyze']) assert.match(top.stdout, new RegExp(`^  ${command} `, 'm'));
  const compute = lca(['compute', '--help']);
  assert.equal(compute.code, 0);
  for (const option of ['--run', '--method', '--val', '--iterations', '--tolerance', '--max-splits', '--backend', '--log-level', '--force']) {
    assert.ok(compute.stdout.includes(option), `compute --help lacks ${option}`);
  }
  // Every command's help ends with examples to paste (issue 13 item 7).
  assert.match(top.stdout, /\nExamples:\n {2}\$ lca demo\n/);
  for (const command of ['demo', 'train', 'compute', 'status', 'analyze', 'plot', 'report', 'prune', 'data', 'import', 'export']) {
    assert.match(lca([command, '--help']).stdout, new RegExp(`\\nExamples:\\n {2}\\$ lca ${command}\\b`), command);
  }
});

test('train writes a run whose manifest records config, model, data and backend', () => {
  const result = lca(trainArgs);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '', 'train prints nothing on stdout');
  noEscapes(result.stderr);
  const manifest = JSON.parse(fs.readFileSync(path.join(run, 'manifest.json'), 'utf8'));
  assert.equal(manifest.config.optimizer.momentum, 0.9);
  assert.equal(manifest.training.iterations, 6);
  assert.equal(manifest.model.parameters, 84060);
  assert.deepEqual(manifest.model.variables.map((v: { name: string }) => v.name), ['fc_1/kernel', 'fc_1/bias', 'fc_2/kernel', 'fc_2/bias', 'fc_3/kernel', 'fc_3/bias']);
  assert.equal(manifest.backend.name, 'wasm');
  assert.equal(manifest.dataset.train_count, 10000);
  assert.match(manifest.versions['apache-arrow'], /^\d+\.\d+\.\d+$/);
  assert.match(manifest.versions['@tensorflow/tfjs'], /^\d+\.\d+\.\d+$/);
  assert.ok(fs.statSync(path.join(run, 'weights.arrow')).size > 7 * 84060 * 4);
});

test('an existing run is not overwritten without --force', () => {
  const before = fs.readFileSync(path.join(run, 'manifest.json'), 'utf8');
  const result = lca(trainArgs);
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim(), `lca: ${run} already exists; pass --force to replace it`);
  assert.equal(fs.readFileSync(path.join(run, 'manifest.json'), 'utf8'), before);
});

test('compute, then analyze in every format', () => {
  const compute = lca(['compute', '--run', run, '--backend', 'wasm']);
  assert.equal(compute.code, 0, compute.stderr);
  assert.ok(fs.existsSync(path.join(run, 'lca', 'adaptive', 'part-000000-000005.arrow')));
  const again = lca(['compute', '--run', run, '--backend', 'wasm']);
  assert.equal(again.code, 0);
  assert.match(again.stderr, /already computed; nothing to do/);

  const helped = JSON.parse(lca(['analyze', '--run', run, '--report', 'helped', '--format', 'json']).stdout);
  assert.ok(helped.percent_helped > 40 && helped.percent_helped < 100, `percent_helped ${helped.percent_helped}`);
  assert.equal(helped.tables.iterations.length, 6);
  assert.equal(helped.compute_backend, 'tfjs wasm 4.22.0');

  const layers = lca(['analyze', '--run', run, '--report', 'layers', '--format', 'tsv']);
  assert.equal(layers.code, 0);
  assert.equal(layers.stderr, '');
  const lines = layers.stdout.trim().split('\n');
  assert.equal(lines[0], 'layer\tlca\tshare\tparameters\thurt');
  assert.deepEqual(lines.slice(1).map((l) => l.split('\t')[0]), ['fc_1', 'fc_2', 'fc_3']);
  const shares = lines.slice(1).map((l) => Number(l.split('\t')[2]));
  assert.ok(Math.abs(shares.reduce((a, b) => a + b) - 1) < 1e-9);

  const error = JSON.parse(lca(['analyze', '--run', run, '--report', 'error', '--format', 'json']).stdout);
  assert.ok(error.max_abs_error <= 1e-3);
  assert.ok(error.cumulative_relative_error < 0.01);

  const csv = lca(['analyze', '--run', run, '--report', 'layers', '--format', 'csv', '--table', 'variables']);
  assert.equal(csv.stdout.split('\n')[0], 'variable,lca,share,parameters,hurt');
  const table = lca(['analyze', '--run', run, '--report', 'helped', '--format', 'table']);
  assert.match(table.stdout, /^percent_helped\s+\d+\.\d+$/m);
  noEscapes(table.stdout);
});

test('--val integrates the validation loss too; --iterations computes a sub-range', () => {
  const result = lca(['compute', '--run', run, '--method', 'simpson', '--val', '--iterations', '2:5', '--backend', 'wasm']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(fs.readdirSync(path.join(run, 'lca', 'simpson')), ['part-000002-000004.arrow']);
  const error = JSON.parse(lca(['analyze', '--run', run, '--report', 'error', '--method', 'simpson', '--format', 'json']).stdout);
  assert.equal(error.range, '2:5');
  assert.equal(error.iterations, 3);
  assert.equal(typeof error.val_max_abs_error, 'number');
  assert.ok(error.val_total_delta_loss < 0);
  const beyond = lca(['analyze', '--run', run, '--report', 'helped', '--method', 'simpson', '--iterations', '0:5']);
  assert.equal(beyond.code, 1);
  assert.match(beyond.stderr, /LCA missing for iterations 0-1; run `lca compute` for them/);
});

test('a closed pipe ends quietly with exit 0', () => {
  const bin = path.join(PROJECT_ROOT, 'bin', 'lca.js');
  const shell = spawnSync('bash', ['-c', `node ${bin} analyze --run ${run} --report helped --format tsv | head -1; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
  assert.equal(shell.stdout, 'iteration\tpercent_helped\tpercent_hurt\tpercent_zero\thelped\thurt\tzero\tnot_moved\tmoved_zero_gradient\nstatus=0\n');
  assert.equal(shell.stderr, '');
});

const usage: [string, string[], RegExp][] = [
  ['an unknown format', ['analyze', '--run', run, '--report', 'helped', '--format', 'xml'], /argument 'xml' is invalid/],
  ['an unknown report', ['analyze', '--run', run, '--report', 'nope'], /argument 'nope' is invalid/],
  ['a reversed range', ['compute', '--run', run, '--iterations', '5:2'], /must be greater than the start/],
  ['a word for a number', ['train', '--out', path.join(tmp, 'x'), '--lr', 'fast'], /--lr <rate>' argument 'fast' is invalid/],
  ['a missing required option', ['compute'], /required option '-r, --run <dir>' not specified/],
  // Rows outside the run are a usage error in every command that takes --iterations (issue 13 item 7).
  ['compute: rows outside the run', ['compute', '--run', run, '--iterations', '300:400'], /--iterations 300:400 is outside .*'s rows 0:6/],
  ['analyze: rows outside the run', ['analyze', '--run', run, '--report', 'helped', '--iterations', '300:400'], /--iterations 300:400 is outside .*'s rows 0:6/],
  ['plot: rows outside the run', ['plot', '--run', run, '--figure', 'helped', '--out', path.join(tmp, 'x.png'), '--iterations', '4:9'], /--iterations 4:9 is outside .*'s rows 0:6/],
  ['report: rows outside the run', ['report', '--run', run, '--out', path.join(tmp, 'x.html'), '--iterations', '7:'], /--iterations 7: is outside .*'s rows 0:6/],
];
for (const [what, args, message] of usage) {
  test(`usage error, exit 2: ${what}`, () => {
    const result = lca(args);
    assert.equal(result.code, 2);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
  });
}

test('config errors name the file and key', () => {
  const bad = path.join(tmp, 'bad.yaml');
  fs.writeFileSync(bad, 'optimizer:\n  momentun: 0.5\n');
  const result = lca(['train', '--config', bad, '--out', path.join(tmp, 'never')]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, new RegExp(`^lca: ${bad}: optimizer\\.momentun: unknown key`));
  assert.ok(!fs.existsSync(path.join(tmp, 'never')));
  const missing = lca(['train', '--config', path.join(tmp, 'nope.yaml'), '--out', path.join(tmp, 'never')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.yaml: cannot read config \(ENOENT\)/);
});

test('data errors: a corrupt IDX file and a missing data folder are named', () => {
  const dir = path.join(tmp, 'corrupt');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), Buffer.from([0, 0, 9, 9, 0, 0, 0, 1]));
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 3]));
  const corrupt = lca(['train', '--dataset', 'mnist', '--data-dir', dir, '--backend', 'wasm', '--out', path.join(tmp, 'never')]);
  assert.equal(corrupt.code, 1);
  assert.match(corrupt.stderr, new RegExp(`^lca: ${dir}/train-images-idx3-ubyte: `));
  assert.equal(corrupt.stderr.trim().split('\n').length, 1, 'one line');
  const absent = lca(['train', '--dataset', 'mnist', '--data-dir', path.join(tmp, 'nowhere'), '--backend', 'wasm', '--out', path.join(tmp, 'never')]);
  assert.equal(absent.code, 1);
  assert.match(absent.stderr, /not found in .*nowhere/);
  assert.ok(!fs.existsSync(path.join(tmp, 'never')));
});

test('analyze names what is missing', () => {
  const notRun = lca(['analyze', '--run', tmp, '--report', 'helped']);
  assert.equal(notRun.code, 1);
  assert.equal(notRun.stderr.trim(), `lca: ${tmp}: not a run directory (no manifest.json); create one with \`lca train\``);
  const noMethod = lca(['analyze', '--run', run, '--report', 'helped', '--method', 'first-order']);
  assert.equal(noMethod.code, 1);
  assert.match(noMethod.stderr, /no LCA computed with --method first-order \(have: simpson, adaptive\)/);
});

test('demo runs the whole pipeline on the bundled data; --out keeps the run, otherwise nothing is left', () => {
  const out = path.join(tmp, 'demo');
  const kept = lca(['demo', '--iterations', '2', '--out', out, '--backend', 'wasm']);
  assert.equal(kept.code, 0, kept.stderr);
  const lines = kept.stdout.trim().split('\n');
  assert.equal(lines[0].split('\t')[0], 'iteration');
  assert.equal(lines.length, 3);
  assert.ok(fs.existsSync(path.join(out, 'lca', 'adaptive')));
  assert.match(kept.stderr, /"msg":"final training loss [\d.]+ \(mean minibatch loss of the last 2 iterations\); θ_T on the 1000 validation images: loss [\d.]+, accuracy [\d.]+ %"/);
  // Off a terminal, training and compute log JSON progress lines (done/total, ETA) on stderr.
  const progress = kept.stderr.split('\n').filter((l) => l.includes('"progress"')).map((l) => JSON.parse(l));
  for (const label of ['training', 'computing LCA (adaptive)']) {
    const last = progress.filter((p) => p.progress === label).at(-1);
    assert.deepEqual([last?.done, last?.total, last?.eta_s], [2, 2, 0], label);
  }

  const scratch = path.join(tmp, 'demo-tmp');
  fs.mkdirSync(scratch);
  const temporary = lca(['demo', '--iterations', '2', '--backend', 'wasm'], { env: { TMPDIR: scratch } });
  assert.equal(temporary.code, 0, temporary.stderr);
  assert.equal(temporary.stdout.trim().split('\n').length, 3);
  assert.deepEqual(fs.readdirSync(scratch), []);
  assert.match(temporary.stderr, /pass --out DIR to keep it/);
});
