// Config validation: every bad input names its key and source (table-driven), flags override files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '../src/config/validate.js';
import { loadConfig } from '../src/config/load.js';
import { UsageError, InputError } from '../src/errors.js';
import { tempDir } from './helpers/temp-dir.js';

const bad: [string, unknown, RegExp][] = [
  ['unknown top-level key', { epoch: 2 }, /^f\.yaml: epoch: unknown key \(known: .*epochs/],
  ['unknown nested key', { optimizer: { momentun: 0.5 } }, /^f\.yaml: optimizer\.momentun: unknown key \(known: name, lr, momentum/],
  ['group given a scalar', { optimizer: 'sgd' }, /^f\.yaml: optimizer: expected a mapping of name, lr/],
  ['lr as string', { optimizer: { lr: 'fast' } }, /optimizer\.lr: expected a number > 0, got "fast"/],
  ['lr zero', { optimizer: { lr: 0 } }, /optimizer\.lr: expected a number > 0/],
  ['negative momentum', { optimizer: { momentum: -0.1 } }, /optimizer\.momentum: expected a number ≥ 0 and ≤ 1/],
  ['momentum above one', { optimizer: { momentum: 1.5 } }, /optimizer\.momentum: expected a number ≥ 0 and ≤ 1/],
  ['unknown optimizer', { optimizer: { name: 'lbfgs' } }, /optimizer\.name: expected one of sgd, adam, rmsprop, got "lbfgs"/],
  ['unknown model', { model: 'vgg-99' }, /model: expected one of mnist-fc/],
  ['fractional batch', { batch_size: 2.5 }, /batch_size: expected an integer ≥ 1, got 2\.5/],
  ['zero batch', { batch_size: 0 }, /batch_size: expected an integer ≥ 1, got 0/],
  ['epochs as string', { epochs: '1' }, /epochs: expected an integer ≥ 1, got "1"/],
  ['negative seed', { seed: -1 }, /seed: expected an integer ≥ 0/],
  ['null where not nullable', { seed: null }, /seed: expected a value, got null/],
  ['empty dataset', { dataset: '' }, /dataset: expected one of fashion-mnist, mnist, .*got ""/],
  ['unknown dataset', { dataset: 'imagenet' }, /^f\.yaml: dataset: expected one of .*cifar10.*, got "imagenet"/],
  ['rmsprop decay above one', { optimizer: { name: 'rmsprop', decay: 1.5 } }, /^f\.yaml: optimizer\.decay: expected a number ≥ 0 and ≤ 1, got 1\.5/],
  ['schedule not a mapping', { optimizer: { schedule: [200] } }, /^f\.yaml: optimizer\.schedule: expected a mapping of epochs, factor/],
  ['schedule epochs decreasing', { optimizer: { schedule: { epochs: [250, 200] } } }, /^f\.yaml: optimizer\.schedule\.epochs: expected an increasing list of integers ≥ 1, got \[250,200\]/],
  ['schedule epoch zero', { optimizer: { schedule: { epochs: [0] } } }, /optimizer\.schedule\.epochs: expected an increasing list of integers ≥ 1/],
  ['schedule factor above one', { optimizer: { schedule: { epochs: [2], factor: 10 } } }, /optimizer\.schedule\.factor: expected a number > 0 and ≤ 1, got 10/],
  ['unknown schedule key', { optimizer: { schedule: { epoch: [2] } } }, /^f\.yaml: optimizer\.schedule\.epoch: unknown key \(known: epochs, factor\)/],
  ['freeze variables as a string', { freeze: { variables: 'fc_3/*' } }, /^f\.yaml: freeze\.variables: expected a list of non-empty strings, got "fc_3\/\*"/],
  ['freeze from negative', { freeze: { variables: ['fc_3/*'], from_iteration: -1 } }, /freeze\.from_iteration: expected an integer ≥ 0/],
  ['groups as a mapping', { groups: { variables: ['fc_3/*'] } }, /^f\.yaml: groups: expected a list of mappings/],
  ['group without lr', { groups: [{ variables: ['fc_3/*'] }] }, /^f\.yaml: groups\[0\]\.lr: required/],
  ['group with unknown key', { groups: [{ variables: ['a'], lr: 0.1, momentun: 0 }] }, /^f\.yaml: groups\[0\]\.momentun: unknown key \(known: variables, lr, momentum\)/],
  ['group item not a mapping', { groups: ['fc_3'] }, /^f\.yaml: groups\[0\]: expected a mapping of variables, lr, momentum/],
  ['group lr zero', { groups: [{ variables: ['a'], lr: 0 }] }, /^f\.yaml: groups\[0\]\.lr: expected a number > 0, got 0/],
  ['empty init_from', { init_from: '' }, /^f\.yaml: init_from: expected a non-empty string/],
  ['eval batch zero', { eval_batch_size: 0 }, /eval_batch_size: expected an integer ≥ 1/],
  ['list instead of mapping', [1, 2], /^f\.yaml: expected a mapping of config keys/],
  ['infinite epsilon', { optimizer: { epsilon: Infinity } }, /optimizer\.epsilon: expected a number > 0/],
];

for (const [name, values, message] of bad) {
  test(`config rejects ${name}`, () => {
    assert.throws(() => resolveConfig([{ where: 'f.yaml', values }]), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match((err as Error).message, message);
      return true;
    });
  });
}

test('defaults come from the schema and zero survives (momentum 0 is plain SGD)', () => {
  const config = resolveConfig([{ where: 'f.yaml', values: { optimizer: { momentum: 0 } } }]);
  assert.equal(config.optimizer.momentum, 0);
  assert.equal(config.optimizer.lr, 0.01);
  assert.equal(config.batch_size, 250);
  assert.equal(config.iterations, null);
});

test('epsilon and eval_batch_size default by optimizer and dataset; given values win', () => {
  const at = (values: object) => resolveConfig([{ where: 'f.yaml', values }]);
  assert.equal(at({ optimizer: { name: 'rmsprop' } }).optimizer.epsilon, 1e-10); // TF1 RMSPropOptimizer (§4)
  assert.equal(at({ optimizer: { name: 'adam' } }).optimizer.epsilon, 1e-8);
  assert.equal(at({ optimizer: { name: 'rmsprop', epsilon: 1e-6 } }).optimizer.epsilon, 1e-6);
  assert.equal(at({}).eval_batch_size, 11000); // MNIST (§11.2)
  assert.equal(at({ dataset: 'cifar10' }).eval_batch_size, 2500);
  assert.equal(at({ dataset: 'synthetic-cifar' }).eval_batch_size, 2500);
  assert.equal(at({ dataset: 'cifar10', eval_batch_size: 250 }).eval_batch_size, 250);
  const fileAndFlag = resolveConfig([{ where: 'f.yaml', values: { eval_batch_size: 5000 } }, { where: 'command line', values: { dataset: 'cifar10' } }]);
  assert.equal(fileAndFlag.eval_batch_size, 5000, 'a value in the file is kept when a flag changes the dataset');
});

test('per-layer keys, the schedule and init_from parse with their defaults', () => {
  const none = resolveConfig([]);
  assert.deepEqual([none.freeze, none.groups, none.init_from, none.optimizer.schedule], [{ variables: [], from_iteration: 0 }, [], null, { epochs: [], factor: 0.1 }]);
  const config = resolveConfig([{ where: 'f.yaml', values: {
    freeze: { variables: ['fc_3/*'], from_iteration: 5 }, groups: [{ variables: ['fc_1/kernel', 'fc_2*'], lr: 0.001 }],
    optimizer: { schedule: { epochs: [200, 250] } }, init_from: 'runs/base',
  } }]);
  assert.deepEqual(config.freeze, { variables: ['fc_3/*'], from_iteration: 5 });
  assert.deepEqual(config.groups, [{ variables: ['fc_1/kernel', 'fc_2*'], lr: 0.001, momentum: null }]);
  assert.deepEqual(config.optimizer.schedule, { epochs: [200, 250], factor: 0.1 });
  assert.equal(config.init_from, 'runs/base');
});

test('flags override the file, and their errors say "command line"', () => {
  const dir = tempDir('lca-config-');
  const file = path.join(dir, 'c.yaml');
  fs.writeFileSync(file, 'optimizer:\n  name: adam\n  lr: 0.001\nseed: 3\n');
  const config = loadConfig(file, { 'optimizer.lr': 0.5, seed: undefined });
  assert.equal(config.optimizer.name, 'adam');
  assert.equal(config.optimizer.lr, 0.5);
  assert.equal(config.seed, 3);
  assert.throws(() => loadConfig(file, { batch_size: -4 }), (e: unknown) => e instanceof UsageError && /^command line: batch_size: expected an integer/.test(e.message));
});

test('an unreadable file is an InputError, invalid YAML a UsageError (exit 2, like a bad key), both naming the file', () => {
  const dir = tempDir('lca-config-');
  const missing = path.join(dir, 'nope.yaml');
  assert.throws(() => loadConfig(missing, {}), (e: unknown) => e instanceof InputError && e.message.startsWith(`${missing}: cannot read config (ENOENT)`));
  const broken = path.join(dir, 'broken.yaml');
  fs.writeFileSync(broken, 'optimizer: [unclosed\n');
  assert.throws(() => loadConfig(broken, {}), (e: unknown) => e instanceof UsageError && e.message.startsWith(`${broken}: not valid YAML`));
  fs.writeFileSync(broken, 'backend: gpu\n'); // an enum from src/backend/names.ts, not any string (a TypeError before)
  assert.throws(() => loadConfig(broken, {}), (e: unknown) => e instanceof UsageError && e.message.startsWith(`${broken}: backend: expected one of auto, `));
  fs.rmSync(dir, { recursive: true });
});
