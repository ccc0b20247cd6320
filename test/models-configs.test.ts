// Every config in configs/ loads through the schema, names a network whose input fits its dataset,
// and keeps the evaluation batch of original-conventions.md §6.3 (MNIST 11,000, CIFAR 2,500).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { DATASET_IMAGE_SHAPES, DATASET_NAMES, type DatasetName } from '../src/data/types.js';
import { layoutOf } from '../src/models/network.js';
import { networkNamed } from '../src/models/registry.js';
import { planLayers } from '../src/train/per-layer.js';

const configs = fileURLToPath(new URL('../../configs/', import.meta.url));
const files = readdirSync(configs).filter((f) => f.endsWith('.yaml')).sort();

test('configs/ holds a config for each network and optimizer the issue asks for', () => {
  for (const name of ['mnist-fc', 'mnist-fc-adam', 'mnist-fc-sgd', 'mnist-lenet', 'mnist-lenet-adam',
    'cifar-resnet', 'cifar-resnet-adam', 'cifar-allcnn', 'cifar-allcnn-adam']) {
    assert.ok(files.includes(`${name}.yaml`), name);
  }
});

for (const file of files) {
  test(`${file} loads, and its network fits its dataset`, () => {
    const config = loadConfig(join(configs, file), {});
    assert.ok((DATASET_NAMES as readonly string[]).includes(config.dataset), config.dataset);
    const shape = DATASET_IMAGE_SHAPES[config.dataset as DatasetName];
    assert.deepEqual(networkNamed(config.model).inputShape, shape);
    // The original's evaluation batches (spec §11.2), except where batch norm is absent and wasm's
    // 4 GB heap cannot hold them: then a smaller batch gives the same loss.
    const evalBatch = shape[0] === 32 ? 2500 : networkNamed(config.model).name === 'mnist-lenet' ? 1000 : 11000;
    assert.equal(config.eval_batch_size, evalBatch);
    if (config.eval_batch_size !== (shape[0] === 32 ? 2500 : 11000)) assert.equal(networkNamed(config.model).usesBatchStatistics, false);
    assert.equal(config.batch_size, 250);
    planLayers(config, layoutOf(networkNamed(config.model).variables).slots); // its freeze and group globs name real variables
  });
}

test('Section 4 experiments: ResNet last layer frozen, at 10x smaller lr, and its momentum sweep delay 0 … 9', () => {
  const load = (name: string) => loadConfig(join(configs, `${name}.yaml`), {});
  const lastLayer = (name: string) => {
    const config = load(name);
    const { slots } = layoutOf(networkNamed(config.model).variables);
    const { frozen, owner } = planLayers(config, slots);
    return { config, frozen: [...frozen].map((k) => slots[k].name), grouped: [...owner.keys()].map((k) => slots[k].name) };
  };
  const frozen = lastLayer('cifar-resnet-freeze-last');
  assert.deepEqual(frozen.frozen, ['fc_last/kernel', 'fc_last/bias']);
  assert.equal(frozen.config.freeze.from_iteration, 0);
  const slow = lastLayer('cifar-resnet-last-lr-0.1x');
  assert.deepEqual(slow.grouped, ['fc_last/kernel', 'fc_last/bias']);
  assert.deepEqual([slow.config.groups[0].lr, slow.config.optimizer.lr], [0.01, 0.1]);
  for (let delay = 0; delay <= 9; delay++) {
    const sweep = lastLayer(`cifar-resnet-last-momentum-delay-${delay}`);
    assert.deepEqual(sweep.grouped, ['fc_last/kernel', 'fc_last/bias']);
    assert.equal(sweep.config.groups[0].momentum, delay / (delay + 1));
    assert.deepEqual([sweep.config.groups[0].lr, sweep.config.optimizer.momentum], [0.1, 0.9]);
  }
  for (const name of ['cifar-resnet-freeze-last', 'cifar-resnet-last-lr-0.1x', 'cifar-resnet-last-momentum-delay-0']) {
    const { config } = lastLayer(name);
    const { freeze: _f, groups: _g, ...rest } = config;
    const { freeze: _bf, groups: _bg, ...base } = load('cifar-resnet');
    assert.deepEqual(rest, base, `${name} differs from cifar-resnet.yaml only in its per-layer settings`);
  }
});

test('the README ResNet run: SGD lr 0.1, momentum 0.9, 25 epochs on cifar10', () => {
  const config = loadConfig(join(configs, 'cifar-resnet.yaml'), {});
  assert.equal(config.model, 'cifar-resnet20');
  assert.equal(config.dataset, 'cifar10');
  assert.deepEqual([config.optimizer.name, config.optimizer.lr, config.optimizer.momentum, config.epochs], ['sgd', 0.1, 0.9, 25]);
  assert.equal(loadConfig(join(configs, 'mnist-fc-sgd.yaml'), {}).optimizer.momentum, 0);
});
