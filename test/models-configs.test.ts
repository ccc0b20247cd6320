// Every config in configs/ loads through the schema, names a network whose input fits its dataset,
// and keeps the evaluation batch of original-conventions.md §6.3 (MNIST 11,000, CIFAR 2,500).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { DATASET_IMAGE_SHAPES, DATASET_NAMES, type DatasetName } from '../src/data/dataset.js';
import { networkNamed } from '../src/models/registry.js';

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
    assert.equal(config.eval_batch_size, shape[0] === 32 ? 2500 : 11000);
    assert.equal(config.batch_size, 250);
  });
}

test('the README ResNet run: SGD lr 0.1, momentum 0.9, 25 epochs on cifar10', () => {
  const config = loadConfig(join(configs, 'cifar-resnet.yaml'), {});
  assert.equal(config.model, 'cifar-resnet20');
  assert.equal(config.dataset, 'cifar10');
  assert.deepEqual([config.optimizer.name, config.optimizer.lr, config.optimizer.momentum, config.epochs], ['sgd', 0.1, 0.9, 25]);
  assert.equal(loadConfig(join(configs, 'mnist-fc-sgd.yaml'), {}).optimizer.momentum, 0);
});
