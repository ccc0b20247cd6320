// `lca compute --sessions`: batches evaluated at once in ONNX Runtime sessions of their own give the LCA
// of one session, value for value, and the part and the log name the sessions that ran.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { lca } from './helpers/cli.js';
import { firstPartMetadata } from './helpers/parts.js';
import { lcaDir, listParts } from '../src/store/lca-parts.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-compute-sessions-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const trained = path.join(tmp, 'trained');

before(() => {
  const r = lca(['train', '--model', 'mnist-fc', '--dataset', 'fashion-mnist-fixture', '--iterations', '3', '--batch-size', '10', '--eval-batch-size', '200', '--backend', 'wasm', '--out', trained]);
  assert.equal(r.code, 0, r.stderr);
});

/** Every column of every part, as numbers: what a reader of the LCA sees, without the metadata. */
const columns = (run: string): Record<string, number[]> => {
  const out: Record<string, number[]> = {};
  for (const part of listParts(lcaDir(run, 'adaptive'))) {
    const table = tableFromIPC(fs.readFileSync(part.file));
    for (const field of table.schema.fields) (out[field.name] ??= []).push(...Array.from(table.getChild(field.name)!.toArray() as ArrayLike<number | bigint>, Number));
  }
  return out;
};

test('--sessions 2 computes the LCA of one session value for value (1,000 examples in 5 batches), and says so', async () => {
  const runs = ['one', 'two'].map((name) => {
    const where = path.join(tmp, name);
    fs.cpSync(trained, where, { recursive: true });
    return where;
  });
  const [one, two] = runs.map((where, k) => lca(['compute', '--run', where, '--subset', '1000', '--backend', 'onnxruntime', '--threads', '1', ...(k === 1 ? ['--sessions', '2'] : [])]));
  for (const r of [one, two]) assert.equal(r.code, 0, r.stderr);
  assert.match(two.stderr, /backend onnxruntime \S+ \(cpu, 2 sessions × 1 thread\)/);
  assert.match(one.stderr, /backend onnxruntime \S+ \(cpu, 1 thread\)/);
  assert.deepEqual(columns(runs[1]), columns(runs[0]));
  assert.equal(JSON.parse((await firstPartMetadata(lcaDir(runs[1], 'adaptive'))).get('lca.backend')!).sessions, 2);
});

test('--sessions 0 is refused with a one-line usage error', () => {
  const r = lca(['compute', '--run', trained, '--sessions', '0']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /--sessions/);
});
