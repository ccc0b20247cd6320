// Checks `lca train` makes before any work, and what it records: a network that cannot take the
// dataset's images, init_from another model, a dataset-dependent evaluation batch, `synthetic`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/validate.js';
import { ExistsError, UsageError } from '../src/errors.js';
import { runTraining } from '../src/jobs/train.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { isSynthetic, readManifest, type Manifest } from '../src/store/manifest.js';
import { stageDir } from '../src/store/run-dir.js';
import { tempDir } from './helpers/temp-dir.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tmp = tempDir('lca-train-checks-');
const train = (out: string, values: object) => runTraining({
  config: resolveConfig([{ where: 'test', values: { dataset: 'fashion-mnist-fixture', iterations: 1, batch_size: 10, backend: 'wasm', ...values } }]),
  out, force: false, projectRoot, reporter: silentReporter,
});
const usage = (message: string) => (e: unknown) => e instanceof UsageError && e.message === message;

test('a network whose input does not fit the dataset is a usage error before any data is read or folder made', async () => {
  const out = path.join(tmp, 'mismatch');
  await assert.rejects(train(out, { model: 'cifar-resnet20', dataset: 'mnist', data_dir: path.join(tmp, 'no-such-dir') }),
    usage('model cifar-resnet20 takes 32×32×3 images, but dataset mnist has 28×28×1'));
  assert.ok(!fs.existsSync(`${out}.partial`));
});

test('init_from must name a run of the same model; the fixture run records synthetic: false and the MNIST eval batch', async () => {
  const fc = path.join(tmp, 'fc');
  const manifest = await train(fc, {});
  assert.equal(manifest.dataset.synthetic, false);
  assert.equal(manifest.config.eval_batch_size, 11000);
  await assert.rejects(train(path.join(tmp, 'lenet'), { model: 'mnist-lenet', init_from: fc }),
    usage(`init_from: ${fc} is a mnist-fc run, but this run trains mnist-lenet`));
});

test('synthetic-cifar runs record synthetic: true and the CIFAR eval batch; older manifests read as real data', async () => {
  const manifest = await train(path.join(tmp, 'synthetic'), { model: 'cifar-resnet20', dataset: 'synthetic-cifar', batch_size: 2 });
  assert.equal(manifest.dataset.synthetic, true);
  assert.equal(manifest.config.eval_batch_size, 2500);
  assert.equal(isSynthetic(manifest), true);
  const old = readManifest(path.join(tmp, 'fc'));
  delete old.dataset.synthetic;
  assert.equal(isSynthetic(old as Manifest), false);
});

test('the staging folder is <dir>.partial, held by one live process at a time', () => {
  const out = path.join(tmp, 'staged');
  const staged = stageDir(out, { force: false });
  assert.equal(staged.staging, `${path.resolve(out)}.partial`);
  fs.writeFileSync(path.join(staged.staging, 'owner'), `${os.hostname()} ${process.ppid}\n`); // a live process that is not us
  assert.throws(() => stageDir(out, { force: true }), (e: unknown) => e instanceof ExistsError && /is being written by process/.test(e.message));
  staged.release();
  fs.rmSync(path.join(staged.staging, 'owner'));
  assert.throws(() => stageDir(out, { force: false }), (e: unknown) => e instanceof ExistsError && /holds a killed training/.test(e.message));
  const again = stageDir(out, { force: true }); // --force starts over
  assert.deepEqual(fs.readdirSync(again.staging), ['owner']);
  again.abandon();
  assert.ok(!fs.existsSync(again.staging));
});
