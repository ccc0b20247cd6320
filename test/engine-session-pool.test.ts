// The session pool (engine/session-pool.ts): results in the order batches were given whichever thread
// finishes first, a failing batch rejected with its own message while the others go on, a model that will
// not load refused at open, and every thread ended by release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gradientGraph } from '../src/engine/autodiff.js';
import { forwardGraph, LOGITS } from '../src/engine/forward.js';
import { openSessionPool } from '../src/engine/session-pool.js';
import { openGradientSession, type GradientResult } from '../src/engine/session.js';
import { LcaError } from '../src/errors.js';
import { initialParameters } from '../src/models/init.js';
import { layoutOf } from '../src/models/network.js';
import { networkNamed } from '../src/models/registry.js';
import { tempDir } from './helpers/temp-dir.js';

const net = networkNamed('mnist-fc');
const slots = layoutOf(net.variables).slots;
const model = gradientGraph(forwardGraph(net), { logits: LOGITS, parameters: slots.map((s) => s.name) });
const theta = initialParameters(net.variables, 1);
const parameters = slots.map((s) => theta.subarray(s.offset, s.offset + s.size));
const batch = (count: number, seed: number) => ({
  images: Float32Array.from({ length: count * 784 }, (_, i) => ((i * 31 + seed) % 97) / 97),
  labels: BigInt64Array.from({ length: count }, (_, i) => BigInt((i + seed) % 10)),
});

test('a pool returns each batch\'s own result, the same bytes as one session, with batches of different sizes in flight at once', async () => {
  const batches = [batch(300, 1), batch(5, 2), batch(120, 3), batch(1, 4)];
  const session = await openGradientSession(model, { provider: 'cpu', threads: 1 });
  const pool = await openSessionPool(model, { provider: 'cpu', threads: 1 }, 2);
  try {
    const expected: GradientResult[] = [];
    for (const b of batches) expected.push(await session.run(b, parameters));
    const got = await Promise.all(batches.map((b) => pool.run(b, parameters)));
    got.forEach((r, k) => {
      assert.equal(r.lossSum, expected[k].lossSum, `batch ${k}`);
      r.gradients.forEach((g, v) => assert.deepEqual(Buffer.from(g.buffer, g.byteOffset, g.byteLength), Buffer.from(expected[k].gradients[v].buffer, expected[k].gradients[v].byteOffset, expected[k].gradients[v].byteLength)));
    });
    assert.equal(batches[0].images.length, 300 * 784, 'the caller\'s batch is copied, not taken from it');
  } finally {
    await session.release();
    await pool.release();
  }
});

test('a batch the session refuses rejects with the session\'s message; the pool goes on with the next', async () => {
  const pool = await openSessionPool(model, { provider: 'cpu', threads: 1 }, 2);
  try {
    const bad = { images: new Float32Array(10), labels: new BigInt64Array(2) };
    await assert.rejects(pool.run(bad, parameters), new LcaError('a batch of 2 labels needs 1568 pixel values, got 10'));
    assert.ok(Number.isFinite((await pool.run(batch(3, 1), parameters)).lossSum));
  } finally {
    await pool.release();
  }
});

test('a pool whose sessions cannot open is refused at open, its threads ended', async () => {
  await assert.rejects(openSessionPool(model, { provider: 'cpu', threads: 0 }, 2), new LcaError('threads must be a positive integer, got 0'));
});

test('idle session threads do not keep the process alive: a job that fails before it releases its pool still exits', () => {
  const pool = new URL('../src/engine/session-pool.js', import.meta.url).href;
  const script = `
    import { openSessionPool } from ${JSON.stringify(pool)};
    import { gradientGraph } from ${JSON.stringify(new URL('../src/engine/autodiff.js', import.meta.url).href)};
    import { forwardGraph, LOGITS } from ${JSON.stringify(new URL('../src/engine/forward.js', import.meta.url).href)};
    import { networkNamed } from ${JSON.stringify(new URL('../src/models/registry.js', import.meta.url).href)};
    import { layoutOf } from ${JSON.stringify(new URL('../src/models/network.js', import.meta.url).href)};
    const net = networkNamed('mnist-fc');
    const slots = layoutOf(net.variables).slots;
    const p = await openSessionPool(gradientGraph(forwardGraph(net), { logits: LOGITS, parameters: slots.map((s) => s.name) }), { provider: 'cpu', threads: 1 }, 2);
    const theta = new Float32Array(slots.reduce((n, s) => n + s.size, 0));
    const r = await p.run({ images: new Float32Array(784), labels: new BigInt64Array(1) }, slots.map((s) => theta.subarray(s.offset, s.offset + s.size)));
    console.log('ran', r.lossSum.toFixed(4));
    // As bin/lca.js ends on an error: an exit code, and the process left to end when nothing keeps it alive.
    console.error('a job failing with its pool open');
    process.exitCode = 1;`;
  // A file, not `node -e`: workers inherit the parent's flags, and --input-type is refused outside -e.
  const file = path.join(tempDir('lca-pool-exit-'), 'job.mjs');
  fs.writeFileSync(file, script);
  const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.signal, null, `killed after 60 s: the process hung (${child.stderr})`);
  assert.equal(child.status, 1, child.stderr);
  assert.match(child.stdout, /^ran 2\.3026$/m, 'the pool kept the process alive while its batch ran');
  assert.match(child.stderr, /a job failing with its pool open/);
});
