// Config validation: every bad input names its key and source (table-driven), flags override files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../src/config/validate.js';
import { loadConfig } from '../src/config/load.js';
import { UsageError, InputError } from '../src/errors.js';

const bad: [string, unknown, RegExp][] = [
  ['unknown top-level key', { epoch: 2 }, /^f\.yaml: epoch: unknown key \(known: .*epochs/],
  ['unknown nested key', { optimizer: { momentun: 0.5 } }, /^f\.yaml: optimizer\.momentun: unknown key \(known: name, lr, momentum/],
  ['group given a scalar', { optimizer: 'sgd' }, /^f\.yaml: optimizer: expected a mapping of name, lr/],
  ['lr as string', { optimizer: { lr: 'fast' } }, /optimizer\.lr: expected a number > 0, got "fast"/],
  ['lr zero', { optimizer: { lr: 0 } }, /optimizer\.lr: expected a number > 0/],
  ['negative momentum', { optimizer: { momentum: -0.1 } }, /optimizer\.momentum: expected a number ≥ 0 and ≤ 1/],
  ['momentum above one', { optimizer: { momentum: 1.5 } }, /optimizer\.momentum: expected a number ≥ 0 and ≤ 1/],
  ['unknown optimizer', { optimizer: { name: 'lbfgs' } }, /optimizer\.name: expected one of sgd, adam, got "lbfgs"/],
  ['unknown model', { model: 'vgg-99' }, /model: expected one of mnist-fc/],
  ['fractional batch', { batch_size: 2.5 }, /batch_size: expected an integer ≥ 1, got 2\.5/],
  ['zero batch', { batch_size: 0 }, /batch_size: expected an integer ≥ 1, got 0/],
  ['epochs as string', { epochs: '1' }, /epochs: expected an integer ≥ 1, got "1"/],
  ['negative seed', { seed: -1 }, /seed: expected an integer ≥ 0/],
  ['null where not nullable', { seed: null }, /seed: expected a value, got null/],
  ['empty dataset', { dataset: '' }, /dataset: expected a non-empty string/],
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

test('flags override the file, and their errors say "command line"', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-config-'));
  const file = path.join(dir, 'c.yaml');
  fs.writeFileSync(file, 'optimizer:\n  name: adam\n  lr: 0.001\nseed: 3\n');
  const config = loadConfig(file, { 'optimizer.lr': 0.5, seed: undefined });
  assert.equal(config.optimizer.name, 'adam');
  assert.equal(config.optimizer.lr, 0.5);
  assert.equal(config.seed, 3);
  assert.throws(() => loadConfig(file, { batch_size: -4 }), (e: unknown) => e instanceof UsageError && /^command line: batch_size: expected an integer/.test(e.message));
});

test('unreadable and malformed files are InputErrors naming the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-config-'));
  const missing = path.join(dir, 'nope.yaml');
  assert.throws(() => loadConfig(missing, {}), (e: unknown) => e instanceof InputError && e.message.startsWith(`${missing}: cannot read config (ENOENT)`));
  const broken = path.join(dir, 'broken.yaml');
  fs.writeFileSync(broken, 'optimizer: [unclosed\n');
  assert.throws(() => loadConfig(broken, {}), (e: unknown) => e instanceof InputError && e.message.startsWith(`${broken}: not valid YAML`));
});
