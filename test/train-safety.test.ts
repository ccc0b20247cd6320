// Issue 10 regressions through the real binary: --force replaces only runs (item 3); --resume finishes a
// complete staged run and never deletes a staging folder (item 2); another host's live lease (item 9);
// divergence stops training (item 6); one-line errors for a batch larger than the data, a malformed
// manifest and bad flags (items 7, 11).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lca } from './helpers/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-train-safety-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const TRAIN = ['train', '--dataset', 'fashion-mnist-fixture', '--iterations', '4', '--batch-size', '10', '--backend', 'wasm'];
const train = (out: string, ...extra: string[]) => lca([...TRAIN, '--out', out, ...extra]);
/** Exit code and the whole of stderr, which must be one `lca:` line. */
function oneLine(result: { code: number | null; stderr: string; stdout: string }, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^lca: /);
  assert.match(lines[0], pattern);
}

test('--force replaces only a run directory: user files, a plain file and the current directory are refused and kept', () => {
  const user = path.join(tmp, 'user');
  fs.mkdirSync(path.join(user, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(user, 'thesis.txt'), 'precious');
  oneLine(train(user, '--force'), 1, /user is not a run directory \(no manifest\.json; it holds sub, thesis\.txt\); --force replaces only/);
  assert.equal(fs.readFileSync(path.join(user, 'thesis.txt'), 'utf8'), 'precious');
  const file = path.join(tmp, 'afile');
  fs.writeFileSync(file, 'keep');
  oneLine(train(file, '--force'), 1, /afile is a file, not a run directory/);
  assert.equal(fs.readFileSync(file, 'utf8'), 'keep');
  const run = path.join(tmp, 'run');
  assert.equal(train(run).code, 0);
  oneLine(lca([...TRAIN, '--out', '.', '--force'], { cwd: run }), 1, /^lca: \. is the current directory or holds it/);
  assert.ok(fs.existsSync(path.join(run, 'weights.arrow')));
  assert.equal(train(run, '--force', '--seed', '1').code, 0, 'a run directory is replaced');
});

test('--resume finishes a complete staged run instead of deleting it', () => {
  const run = path.join(tmp, 'complete');
  assert.equal(train(run).code, 0);
  const bytes = fs.readFileSync(path.join(run, 'weights.arrow'));
  fs.renameSync(run, `${run}.partial`); // killed after the run was whole, before its rename
  const resumed = lca(['train', '--resume', '--out', run]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok(fs.readFileSync(path.join(run, 'weights.arrow')).equals(bytes));
  assert.ok(!fs.existsSync(`${run}.partial`));
});

test('--resume before the first checkpoint keeps the folder, and its advice works', () => {
  const run = path.join(tmp, 'early');
  fs.mkdirSync(`${run}.partial`);
  fs.writeFileSync(path.join(`${run}.partial`, 'owner'), `${os.hostname()} 999999999\n`); // killed in start-up
  oneLine(lca(['train', '--resume', '--out', run]), 2, /early\.partial was killed before it recorded its config: resume with the original --config and flags/);
  assert.ok(fs.existsSync(`${run}.partial`), 'a failed resume deletes nothing');
  const advised = train(run, '--resume');
  assert.equal(advised.code, 0, advised.stderr);
  assert.ok(fs.existsSync(path.join(run, 'weights.arrow')));
});

test('a training on another host with a fresh heartbeat is live: --resume and --force refuse it; --break-lock takes over', () => {
  const run = path.join(tmp, 'foreign');
  fs.mkdirSync(`${run}.partial`);
  fs.writeFileSync(path.join(`${run}.partial`, 'owner'), JSON.stringify({ host: 'node-b', pid: 1, heartbeat: new Date().toISOString() }));
  for (const extra of [['--resume'], ['--force']]) oneLine(train(run, ...extra), 1, /foreign\.partial is being written by process 1 on host node-b/);
  assert.ok(fs.existsSync(path.join(`${run}.partial`, 'owner')));
  assert.equal(train(run, '--resume', '--break-lock').code, 0);
});

test('a diverging training stops at the first non-finite loss, naming it, and keeps the iterates before it as a shorter run', () => {
  const run = path.join(tmp, 'diverged');
  const result = lca(['train', '--dataset', 'fashion-mnist-fixture', '--iterations', '20', '--batch-size', '100', '--lr', '1e6', '--backend', 'wasm', '--out', run]);
  oneLine(result, 1, /^lca: training diverged: (the minibatch loss at iteration |θ_)\d+.* were written to .*diverged as a \d+-iteration run \(training\.diverged_at: \d+\); lower --lr$/);
  const manifest = JSON.parse(fs.readFileSync(path.join(run, 'manifest.json'), 'utf8'));
  assert.equal(manifest.training.iterations, manifest.training.diverged_at - 1);
  assert.ok(manifest.training.iterations >= 1 && manifest.training.iterations < 20);
  assert.equal(lca(['status', '--run', run]).code, 0, 'the shorter run is a valid run');
});

test('a batch larger than the dataset is one usage line', () => {
  oneLine(train(path.join(tmp, 'huge'), '--batch-size', '20000'), 2, /batch_size 20000 is larger than the 10000 training images of fashion-mnist-fixture/);
  assert.ok(!fs.existsSync(path.join(tmp, 'huge.partial')));
});

test('every manifest field is type-checked on read: one line naming the file and key', () => {
  const run = path.join(tmp, 'manifests');
  assert.equal(train(run).code, 0);
  const original = fs.readFileSync(path.join(run, 'manifest.json'), 'utf8');
  const cases: [string, (m: any) => void, RegExp][] = [
    ['null variables', (m) => (m.model.variables = null), /model\.variables: expected a list of variables, got null/],
    ['string iterations', (m) => (m.training.iterations = 'forty'), /training\.iterations: expected an integer ≥ 1, got "forty"/],
    ['string size', (m) => (m.model.variables[0].size = '78400'), /model\.variables\[0\]\.size: expected 78400/],
    ['unknown model', (m) => (m.model.name = m.config.model = 'nope'), /config: model: expected one of mnist-fc/],
    ['model differs from config', (m) => (m.config.model = 'mnist-lenet'), /model\.name: expected the config's model "mnist-lenet"/],
    ['weights path', (m) => (m.files.weights = '../../etc/passwd'), /files\.weights: expected a file name ending in \.arrow/],
  ];
  for (const [name, mutate, pattern] of cases) {
    const manifest = JSON.parse(original);
    mutate(manifest);
    fs.writeFileSync(path.join(run, 'manifest.json'), JSON.stringify(manifest));
    oneLine(lca(['status', '--run', run]), 1, pattern);
    assert.ok(true, name);
  }
  const lenet = JSON.parse(original); // model and config agree, but the variables are MNIST-FC's
  lenet.model.name = lenet.config.model = 'mnist-lenet';
  fs.writeFileSync(path.join(run, 'manifest.json'), JSON.stringify(lenet));
  oneLine(lca(['compute', '--run', run, '--subset', '10']), 1, /model\.variables are not those of mnist-lenet/);
});

test('flag errors are one line; a negative tolerance and a split cap that doubling never reaches are refused', () => {
  oneLine(lca(['train', '--iterations', 'abc', '--out', path.join(tmp, 'x')]), 2, /--iterations <n>' argument 'abc' is invalid/);
  oneLine(lca(['compute', '--run', tmp, '--tolerance', '-1']), 2, /--tolerance <nats>' argument '-1' is invalid\. must be greater than 0/);
  oneLine(lca(['compute', '--run', tmp, '--max-splits', '3']), 2, /--max-splits <n>' argument '3' is invalid\. must be a power of two ≥ 2/);
  const yaml = path.join(tmp, 'bad.yaml');
  fs.writeFileSync(yaml, 'optimizer: [unclosed\n');
  oneLine(lca(['train', '--config', yaml, '--out', path.join(tmp, 'y')]), 2, /bad\.yaml: not valid YAML/);
});
