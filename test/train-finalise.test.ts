// Crash safety of the end of a training (issue 10, items 1 and 2): a fault is injected at every file
// operation of a small training in turn — each rename, removal, whole-file write and weights.arrow write,
// an ENOSPC on the weights stream included — plus the same with --force over an older run (the kill
// between its two renames). Whatever the point, `--resume` must finish the run with the bytes of an
// uninterrupted one, and never delete the staging folder.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/validate.js';
import { runTraining } from '../src/jobs/train.js';
import { silentReporter } from '../src/jobs/reporter.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-train-finalise-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const config = (seed: number) => resolveConfig([{ where: 'test', values: { dataset: 'fashion-mnist-fixture', iterations: 6, batch_size: 10, backend: 'wasm', seed } }]);
const train = (out: string, options: { seed?: number; force?: boolean; resume?: boolean } = {}) => runTraining({
  config: options.resume ? undefined : config(options.seed ?? 0), out, force: !!options.force, resume: options.resume,
  checkpointEvery: 2, projectRoot, reporter: silentReporter,
});

// The operations a kill or a full disk can interrupt. fs.write is what the weights.arrow stream writes with.
const OPERATIONS = ['renameSync', 'rmSync', 'writeFileSync', 'write'] as const;
type Patched = Record<(typeof OPERATIONS)[number], (...args: unknown[]) => unknown>;

/**
 * Runs `work` with the `fault`-th file operation failing (ENOSPC on a write, an abort otherwise); true if
 * the fault fired. `seen` collects each operation's name and first argument, to find where finalisation starts.
 */
async function withFault(fault: number, work: () => Promise<unknown>, seen: string[] = []): Promise<boolean> {
  const originals = Object.fromEntries(OPERATIONS.map((name) => [name, (fs as unknown as Patched)[name]])) as Patched;
  let count = 0;
  let fired = false;
  for (const name of OPERATIONS) {
    (fs as unknown as Patched)[name] = (...args: unknown[]) => {
      seen.push(`${name} ${String(args[0])}`);
      if (++count !== fault) return originals[name].apply(fs, args);
      fired = true;
      const err = Object.assign(new Error(`injected fault in ${name}`), { code: name.startsWith('write') ? 'ENOSPC' : 'EINTR' });
      if (name === 'write') return (args[args.length - 1] as (e: Error) => void)(err); // the stream's callback
      throw err;
    };
  }
  try {
    await work().catch(() => undefined);
  } finally {
    Object.assign(fs, originals);
  }
  return fired;
}

/** `--resume --out`, then, when the training died before recording its config, the advice it prints: the original flags too. */
async function resume(out: string, seed: number, force = false) {
  try {
    return await train(out, { resume: true, force });
  } catch (err) {
    assert.match((err as Error).message, /: resume with the original --config and flags$/);
    return runTraining({ config: config(seed), out, force, resume: true, checkpointEvery: 2, projectRoot, reporter: silentReporter });
  }
}

let seenKinds: string[] = []; // the operation at each fault point of the last faultPoints() call

/**
 * Fault points worth a try: the first operations (start-up), then after the last operation ending in
 * `after` every operation that starts or ends a run of the same kind (the middle of five weights writes adds nothing).
 */
async function faultPoints(work: () => Promise<unknown>, after: string, early: number[]): Promise<number[]> {
  const seen: string[] = [];
  await withFault(0, work, seen);
  seenKinds = seen.map((s) => s.split(' ')[0]);
  const start = seen.length - [...seen].reverse().findIndex((s) => s.endsWith(after));
  assert.ok(start > 0, seen.join('\n'));
  const kind = (k: number) => seen[k]?.split(' ')[0];
  const edges = seen.map((_, k) => k).filter((k) => k >= start && (kind(k) !== kind(k - 1) || kind(k) !== kind(k + 1)));
  return [...early, ...edges.map((k) => k + 1)];
}

const weights = (dir: string) => fs.readFileSync(path.join(dir, 'weights.arrow'));

test('a training interrupted at any file operation, finalisation included, resumes to the uninterrupted bytes', async () => {
  const reference = path.join(tmp, 'reference');
  const points = await faultPoints(() => train(reference), 'checkpoint.bin.tmp', [1, 2, 3, 4]);
  for (const fault of points) {
    const out = path.join(tmp, `fault-${fault}`);
    assert.ok(await withFault(fault, () => train(out)));
    if (!fs.existsSync(path.join(out, 'manifest.json'))) {
      if (!fs.existsSync(`${out}.partial`)) continue; // failed before its first checkpoint: nothing kept, nothing to resume
      const manifest = await resume(out, 0);
      assert.equal(manifest.training.iterations, 6, `fault ${fault}`);
    }
    assert.ok(weights(out).equals(weights(reference)), `fault ${fault}: weights.arrow differs`);
    assert.ok(!fs.existsSync(`${out}.partial`), `fault ${fault}: staging folder left`);
    assert.deepEqual(fs.readdirSync(out).sort(), ['manifest.json', 'weights.arrow'], `fault ${fault}`);
  }
  assert.ok(points.length >= 10, `only ${points.length} fault points`);

  // A full disk while weights.arrow is written is one line that says how to go on.
  const full = path.join(tmp, 'full');
  const write = points.find((k) => k > 4 && seenKinds[k - 1] === 'write')!;
  let failure: Error | undefined;
  await withFault(write, () => train(full).catch((err: Error) => (failure = err)));
  assert.match(failure?.message ?? 'no error', /full\.partial: no space left on device .*; free space, then `lca train --resume --out .*full` continues from the last checkpoint$/);
  // Item 11: a link planted in a staging folder is refused, never followed.
  const victim = path.join(tmp, 'victim');
  fs.writeFileSync(victim, 'not yours');
  fs.rmSync(path.join(`${full}.partial`, 'iterates.f32'));
  fs.symlinkSync(victim, path.join(`${full}.partial`, 'iterates.f32'));
  await assert.rejects(train(full, { resume: true }), /iterates\.f32 is not a regular file \(a link\?\); lca does not follow it/);
  assert.equal(fs.readFileSync(victim, 'utf8'), 'not yours');
});

test('--force over a run, interrupted anywhere (between its two renames too), resumes to the new run and loses neither', async () => {
  const old = path.join(tmp, 'old');
  await train(old);
  const reference = path.join(tmp, 'reference-seed-1');
  fs.cpSync(old, reference, { recursive: true });
  const points = await faultPoints(() => train(reference, { seed: 1, force: true }), 'iterates.f32', [1]);
  let between = 0;
  for (const fault of points) {
    const out = path.join(tmp, `force-${fault}`);
    fs.cpSync(old, out, { recursive: true });
    assert.ok(await withFault(fault, () => train(out, { seed: 1, force: true })));
    if (!fs.existsSync(out)) between++;
    const kept = fs.existsSync(`${out}.partial`);
    if (kept) await resume(out, 1, true);
    const now = weights(out);
    // Without a staging folder the training failed before its first checkpoint, and the old run must be untouched.
    assert.ok(now.equals(weights(kept || !now.equals(weights(old)) ? reference : old)), `fault ${fault}: weights.arrow is neither run's`);
    assert.ok(!fs.existsSync(`${out}.partial`), `fault ${fault}: staging folder left`);
    // Only a fault in the very last removal may leave the replaced run behind (documented; the next train removes it).
    if (fs.existsSync(`${out}.partial.replaced`)) assert.equal(fault, points[points.length - 1], `fault ${fault}: replaced run left`);
  }
  assert.ok(between >= 1, 'no fault landed between the two renames');
});
