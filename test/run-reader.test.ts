// The one reader of a computed run (issue 10, items 5, 6 and 8) on generated runs (no training): every
// part is validated before a number is read — kind, rows against its name, the same settings as the
// others — rows of a diverged training are named, and `lca status` reads the scalars without the T×K matrix.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lca } from './helpers/cli.js';
import { writeAnalyzeRun, type GeneratedVariable } from './helpers/analyze-run.js';
import { runStatus } from '../src/jobs/status.js';
import { createPartWriter, lcaDir, lcaLayout, partName } from '../src/store/lca-parts.js';
import { readManifest } from '../src/store/manifest.js';
import { partMetadataRecord, readPartMetadata, type PartMetadata } from '../src/store/part-metadata.js';
import { openRowFile } from '../src/store/arrow-rows.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-run-reader-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const variables: GeneratedVariable[] = [{ name: 'fc_1/kernel', shape: [2, 2] }, { name: 'fc_1/bias', shape: [2] }];

/** A generated run of 8 rows in parts of 4, every parameter −0.1 per row. */
async function generated(name: string): Promise<string> {
  const run = path.join(tmp, name);
  await writeAnalyzeRun(run, variables, 8, (_t, out) => out.fill(-0.1), 4);
  return run;
}

/** Rewrites part `first`-`last` of a run, holding rows `rows` (default its own), with metadata changes. */
async function rewritePart(run: string, [first, last]: [number, number], changes: { rows?: number[]; kind?: 'gradients'; subset?: number } = {}): Promise<void> {
  const dir = lcaDir(run, 'adaptive');
  const file = path.join(dir, partName(first, last));
  const reader = await openRowFile(file);
  await reader.close();
  const old = readPartMetadata(file, reader.metadata);
  fs.rmSync(file);
  const vars = readManifest(run).model.variables;
  const metadata: PartMetadata = { ...old, kind: changes.kind ?? old.kind, settings: { ...old.settings, ...(changes.subset ? { subset: changes.subset, subset_seed: 0 } : {}) } };
  const writer = createPartWriter(dir, first, last, lcaLayout(vars, false), partMetadataRecord(metadata, vars));
  for (const t of changes.rows ?? Array.from({ length: last - first + 1 }, (_, k) => first + k)) {
    await writer.append({ iteration: t, loss: 1, next_loss: 0.4, delta_loss: -0.6, lca_sum: -0.6, error: 0, splits: 2 }, new Float32Array(6).fill(-0.1));
  }
  await writer.commit();
}

const analyze = (run: string, report = 'layers') => lca(['analyze', '--run', run, '--report', report, '--format', 'json']);

test('a gradients part in lca/adaptive is refused, not summed as LCA (P3)', async () => {
  const run = await generated('kind');
  await rewritePart(run, [4, 7], { kind: 'gradients' });
  const result = analyze(run);
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim(), `lca: ${lcaDir(run, 'adaptive')}/part-000004-000007.arrow: a gradients part where lca parts belong; move or remove it`);
  assert.equal(result.stdout, '');
});

test('a part whose rows disagree with its name is refused, not counted twice (P5)', async () => {
  const run = await generated('rows');
  await rewritePart(run, [4, 7], { rows: [0, 1, 2, 3] }); // rows 0-3 under the name 4-7
  for (const command of [analyze(run), lca(['status', '--run', run])]) {
    assert.equal(command.code, 1);
    assert.equal(command.stderr.trim(), `lca: ${lcaDir(run, 'adaptive')}/part-000004-000007.arrow: its name says rows 4-7, but it holds rows 0-3 (4); remove it and rerun \`lca compute\``);
  }
});

test('parts computed with other settings are refused by analyze and status, whichever part differs (P4, C4)', async () => {
  const run = await generated('mixed');
  await rewritePart(run, [4, 7], { subset: 5000 });
  for (const command of [analyze(run), lca(['status', '--run', run])]) {
    assert.equal(command.code, 1);
    assert.equal(command.stderr.trim(), `lca: ${lcaDir(run, 'adaptive')}/part-000004-000007.arrow: computed with other settings than part-000000-000003.arrow ` +
      '(subset null → 5000, subset_seed null → 0); rerun `lca compute --force` with one set of settings');
  }
});

test('a truncated part is named by every reader', async () => {
  const run = await generated('truncated');
  const file = path.join(lcaDir(run, 'adaptive'), partName(4, 7));
  fs.truncateSync(file, fs.statSync(file).size - 100);
  const result = lca(['status', '--run', run]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`^lca: ${file}: not a readable Arrow IPC file \\(truncated: \\d+ bytes and no footer\\)\\n$`));
});

test('rows of a diverged training (NaN) are named in analyze\'s and status\'s context (item 6)', async () => {
  const run = path.join(tmp, 'nan');
  await writeAnalyzeRun(run, variables, 8, (t, out) => out.fill(t >= 5 ? Number.NaN : -0.1), 4);
  const layers = analyze(run);
  assert.equal(layers.code, 0, layers.stderr);
  assert.equal(JSON.parse(layers.stdout).non_finite_rows, '5-7');
  const status = lca(['status', '--run', run, '--format', 'json']);
  assert.equal(JSON.parse(status.stdout).non_finite_rows, 'adaptive: 5-7');
  assert.equal(JSON.parse(analyze(await generated('finite')).stdout).non_finite_rows, undefined);
});

test('status reads the per-iteration columns only: a 32 MB matrix costs it well under 2 MB of reads', async () => {
  const run = path.join(tmp, 'big');
  await writeAnalyzeRun(run, [{ name: 'w', shape: [1_000_000] }], 8, (t, out) => out.fill(t === 3 ? -1e-6 : 1e-7), 8);
  const readBytes = () => Number(/rchar: (\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'))![1]);
  const before = readBytes();
  const status = await runStatus({ run });
  const read = readBytes() - before;
  const adaptive = status.tables[0].rows.find((r) => r[0] === 'adaptive')!;
  assert.equal(adaptive[1], 8, 'all 8 rows are computed');
  assert.ok(read < 2 << 20, `status read ${read} bytes of a ${fs.statSync(path.join(lcaDir(run, 'adaptive'), partName(0, 7))).size}-byte part`);
});
