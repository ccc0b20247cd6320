// A full disk under `lca compute` (issue 10's reliability promise: nothing already written is lost or
// silently corrupted). A write fails with ENOSPC, or a rename or removal fails, at points spread over a
// small compute; each time compute must fail with that error, leave every part it shows complete (the
// bytes of an uninterrupted compute), and a plain rerun must finish with exactly those bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/validate.js';
import { runCompute } from '../src/jobs/compute.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { runTraining } from '../src/jobs/train.js';
import { lcaDir, listParts } from '../src/store/lca-parts.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-compute-disk-full-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const trained = path.join(tmp, 'trained');

const compute = (run: string) => runCompute({
  run, method: 'adaptive', val: false, tolerance: 1e-3, maxSplits: 32, partSize: 2, subset: 500,
  backend: 'onnxruntime', threads: 1, force: false, projectRoot, reporter: silentReporter,
});

/** Every file of a run's LCA folder, by name, with its bytes. */
const lcaFiles = (run: string): Map<string, Buffer> => {
  const dir = lcaDir(run, 'adaptive');
  return new Map(fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isFile()).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
};

// fs.write is what the parts' write streams write with; the renames publish parts, the removals clear temporaries and leases.
const OPERATIONS = ['write', 'writeFileSync', 'renameSync', 'rmSync'] as const;
type Patched = Record<(typeof OPERATIONS)[number], (...args: unknown[]) => unknown>;

/** Runs `work` with the `fault`-th file operation under the LCA folder failing (ENOSPC on a write, EIO otherwise); the operations seen. */
async function withFault(fault: number, work: () => Promise<unknown>): Promise<{ seen: string[]; error: unknown }> {
  const originals = Object.fromEntries(OPERATIONS.map((name) => [name, (fs as unknown as Patched)[name]])) as Patched;
  const seen: string[] = [];
  for (const name of OPERATIONS) {
    (fs as unknown as Patched)[name] = (...args: unknown[]) => {
      seen.push(name);
      if (seen.length !== fault) return originals[name].apply(fs, args);
      const err = Object.assign(new Error(`injected ${name} failure`), { code: name === 'write' || name === 'writeFileSync' ? 'ENOSPC' : 'EIO' });
      if (name === 'write') return (args[args.length - 1] as (e: Error) => void)(err); // the stream's callback
      throw err;
    };
  }
  let error: unknown = null;
  try {
    await work();
  } catch (err) {
    error = err;
  } finally {
    Object.assign(fs, originals);
  }
  return { seen, error };
}

let reference: Map<string, Buffer>;
let operations: string[];

before(async () => {
  const config = resolveConfig([{ where: 'test', values: { dataset: 'fashion-mnist-fixture', iterations: 6, batch_size: 10, backend: 'wasm', seed: 0 } }]);
  await runTraining({ config, out: trained, force: false, checkpointEvery: 2, projectRoot, reporter: silentReporter });
  const clean = path.join(tmp, 'clean');
  fs.cpSync(trained, clean, { recursive: true });
  operations = (await withFault(0, () => compute(clean))).seen;
  reference = lcaFiles(clean);
  assert.deepEqual([...reference.keys()].filter((f) => f.endsWith('.arrow')).length, 3, 'rows 0-5 in parts of 2');
});

test('a compute whose disk fills (or whose rename fails) fails with that error, shows only complete parts, and a rerun ends with the same bytes', async () => {
  // Each kind of operation first and last (writes also in the middle: 24 operations, 9 faults, on 30 Nov 2026).
  const kinds = new Map<string, number[]>();
  operations.forEach((name, k) => kinds.set(name, [...(kinds.get(name) ?? []), k + 1]));
  const faults = [...new Set([...kinds].flatMap(([name, at]) => [at[0], ...(name === 'write' ? [at[at.length >> 1]] : []), at[at.length - 1]]))].sort((a, b) => a - b);
  assert.ok(kinds.has('write') && kinds.has('renameSync'), `operations seen: ${[...kinds.keys()].join(', ')}`);
  for (const fault of faults) {
    const run = path.join(tmp, `fault-${fault}`);
    fs.cpSync(trained, run, { recursive: true });
    const { error } = await withFault(fault, () => compute(run));
    const what = `fault at operation ${fault} (${operations[fault - 1]})`;
    assert.ok(error instanceof Error, `${what}: compute did not fail`);
    assert.equal((error as NodeJS.ErrnoException).code, operations[fault - 1].startsWith('write') ? 'ENOSPC' : 'EIO', `${what}: ${String(error)}`);
    for (const part of listParts(lcaDir(run, 'adaptive'))) {
      assert.ok(reference.get(path.basename(part.file))?.equals(fs.readFileSync(part.file)), `${what}: ${path.basename(part.file)} differs from an uninterrupted compute's`);
    }
    await compute(run);
    const after = lcaFiles(run);
    assert.deepEqual([...after.keys()].sort(), [...reference.keys()].sort(), `${what}: the rerun left other files`);
    for (const [name, bytes] of reference) assert.ok(after.get(name)!.equals(bytes), `${what}: ${name} differs after the rerun`);
    fs.rmSync(run, { recursive: true, force: true });
  }
});

test('lca compute under a file-size limit: one line naming the part being written, exit 1, no part shown, and a rerun finishes', async () => {
  const run = path.join(tmp, 'limited');
  fs.cpSync(trained, run, { recursive: true });
  const args = ['compute', '--run', run, '--part-size', '2', '--subset', '500', '--backend', 'onnxruntime', '--threads', '1', '--log-level', 'error'];
  // A part (2 rows of MNIST-FC's 89,610 LCA values) is 0.68 MB; the limit is per file, so 300 kB stops the first.
  const limited = spawnSync('bash', ['-c', 'ulimit -f 300 && exec "$0" "$@"', process.execPath, path.join(projectRoot, 'bin', 'lca.js'), ...args], { encoding: 'utf8' });
  assert.equal(limited.status, 1, limited.stderr);
  const lines = limited.stderr.trim().split('\n');
  assert.equal(lines.length, 1, limited.stderr);
  assert.match(lines[0], /^lca: \S+part-000000-000001\S*: file too large for this process \(its file-size limit, ulimit -f\); finished work is kept: fix that, then run the same command again$/);
  assert.deepEqual(listParts(lcaDir(run, 'adaptive')), []);
  await compute(run);
  for (const [name, bytes] of reference) assert.ok(lcaFiles(run).get(name)!.equals(bytes), `${name} differs after the rerun`);
});
