// Crash safety with a real process: `lca compute` SIGKILLed at startup, right after a part is
// renamed into place, and with a part half done, then rerun; the parts must equal an uninterrupted
// run's byte for byte, and the killed process's temporary must be ignored, then cleaned up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { lca, PROJECT_ROOT } from './helpers/cli.js';
import { listParts } from '../src/store/lca-parts.js';
import { listTemporaries } from '../src/store/temporaries.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-resume-kill-');
const run = path.join(tmp, 'run');
const reference = path.join(tmp, 'reference');
const dir = path.join(run, 'lca', 'adaptive');
const computeArgs = (where: string, ...extra: string[]) => ['compute', '--run', where, '--part-size', '2', '--backend', 'onnxruntime', '--log-level', 'debug', ...extra];

/** Starts `lca compute` and SIGKILLs it as soon as `when(stderr so far)` holds; resolves once it is dead. */
function killWhen(when: (stderr: string) => boolean, args = computeArgs(run)): Promise<{ signal: NodeJS.Signals | null; pid: number; stderr: string }> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'lca.js'), ...args], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const poll = setInterval(() => when(stderr) && child.kill('SIGKILL'), 2);
  return new Promise((resolve) => child.on('close', (_code, signal) => {
    clearInterval(poll);
    resolve({ signal, pid: child.pid!, stderr });
  }));
}

const partBytes = (where: string, method = 'adaptive') => {
  const parts = path.join(where, 'lca', method);
  return fs.readdirSync(parts).sort().map((name) => [name, fs.readFileSync(path.join(parts, name))] as const);
};

test('a compute killed at any point and rerun equals an uninterrupted one, byte for byte', async () => {
  const trained = lca(['train', '--config', 'configs/mnist-fc.yaml', '--dataset', 'fashion-mnist-fixture', '--iterations', '6', '--eval-batch-size', '5000', '--backend', 'onnxruntime', '--out', run]);
  assert.equal(trained.code, 0, trained.stderr);
  fs.cpSync(run, reference, { recursive: true });
  const whole = lca(computeArgs(reference));
  assert.equal(whole.code, 0, whole.stderr);

  // 1. At startup: nothing written, nothing left.
  const atStart = await killWhen((stderr) => /"msg":"backend /.test(stderr));
  assert.equal(atStart.signal, 'SIGKILL');
  assert.equal(listParts(dir).length, 0);

  // 2. Just after the first part was renamed into place.
  const afterPart = await killWhen(() => listParts(dir).length > 0);
  assert.equal(afterPart.signal, 'SIGKILL');
  const kept = listParts(dir).length;
  assert.ok(kept >= 1 && kept < 3, `${kept} parts`);

  // 3. Mid-part: the first row of the next part is computed and held, its temporary file open.
  const midPart = await killWhen((stderr) => listTemporaries(dir).length > 0 && new RegExp(`"iteration":${2 * kept},`).test(stderr));
  assert.equal(midPart.signal, 'SIGKILL');
  const [left] = listTemporaries(dir);
  assert.equal(left?.pid, midPart.pid, 'the killed process left its temporary');
  assert.equal(listParts(dir).length, kept, 'readers ignore the temporary');

  // 4. Rerun to completion: the dead process's temporary is removed, the parts equal the reference.
  const resumed = lca(computeArgs(run));
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`removed .*\\.${midPart.pid}\\.tmp, left by a compute that has ended`));
  assert.deepEqual(listTemporaries(dir), []);
  const [expected, actual] = [partBytes(reference), partBytes(run)];
  assert.deepEqual(actual.map(([name]) => name), expected.map(([name]) => name));
  actual.forEach(([name, bytes], k) => assert.ok(bytes.equals(expected[k][1]), `${name} differs from the uninterrupted run's`));
});

test('--store layers --every 2 killed inside a block and rerun equals an uninterrupted compute, byte for byte', async () => {
  const blocks = ['--method', 'first-order', '--store', 'layers', '--every', '2'];
  const [killed, whole] = [path.join(tmp, 'blocks'), path.join(tmp, 'blocks-reference')];
  for (const where of [killed, whole]) fs.cpSync(run, where, { recursive: true, filter: (src) => !src.includes(`${path.sep}lca${path.sep}`) });
  assert.equal(lca(computeArgs(whole, ...blocks)).code, 0);
  // Parts hold 2 blocks (iterations 0-3, 4-5): killed once the second part has its first row computed, mid-block.
  const blockDir = path.join(killed, 'lca', 'first-order');
  const mid = await killWhen((stderr) => listTemporaries(blockDir).length > 0 && /"iteration":4,/.test(stderr), computeArgs(killed, ...blocks));
  assert.equal(mid.signal, 'SIGKILL');
  assert.deepEqual(listParts(blockDir).map((p) => [p.first, p.last]), [[0, 3]]);
  const resumed = lca(computeArgs(killed, ...blocks));
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /computing rows 4-5 \(4 rows already computed\)/);
  const [expected, actual] = [partBytes(whole, 'first-order'), partBytes(killed, 'first-order')];
  assert.deepEqual(actual.map(([name]) => name), expected.map(([name]) => name));
  actual.forEach(([name, bytes], k) => assert.ok(bytes.equals(expected[k][1]), `${name} differs from the uninterrupted compute's`));
});
