// `lca train --resume` with a real process: SIGKILLed after a checkpoint (in the second epoch), resumed
// with the same command, killed again and resumed with `--resume --out` alone; weights.arrow must equal
// an uninterrupted run's byte for byte, and no run directory may appear before the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { lca, PROJECT_ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-train-resume-');
// 40 iterations of batch 1,000 on the 10,000-image fixture: 10 per epoch, so resumes land mid-epoch.
const args = (out: string) => ['train', '--config', 'configs/mnist-fc.yaml', '--dataset', 'fashion-mnist-fixture', '--iterations', '40',
  '--batch-size', '1000', '--eval-batch-size', '5000', '--checkpoint-every', '4', '--backend', 'wasm', '--out', out];

/** Runs `lca …` and SIGKILLs it once its debug log reports a checkpoint at iteration ≥ `after`. */
function killAfterCheckpoint(cliArgs: string[], after: number): Promise<{ signal: NodeJS.Signals | null; checkpoint: number }> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'lca.js'), ...cliArgs, '--log-level', 'debug'],
    { cwd: PROJECT_ROOT, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let checkpoint = -1;
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    for (const line of stderr.split('\n').filter((l) => l.includes('"msg":"checkpoint"'))) {
      checkpoint = Math.max(checkpoint, (JSON.parse(line) as { iteration: number }).iteration);
    }
    if (checkpoint >= after) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.on('close', (_code, signal) => resolve({ signal, checkpoint })));
}

test('a training killed twice and resumed ends with the same weights.arrow bytes as an uninterrupted one', async () => {
  const reference = path.join(tmp, 'reference');
  const whole = lca(args(reference));
  assert.equal(whole.code, 0, whole.stderr);
  assert.ok(!fs.existsSync(`${reference}.partial`), 'a finished run leaves no staging folder');

  const run = path.join(tmp, 'run');
  const first = await killAfterCheckpoint(args(run), 12);
  assert.equal(first.signal, 'SIGKILL');
  assert.ok(!fs.existsSync(run), 'a killed training leaves no run directory');
  assert.ok(fs.existsSync(path.join(`${run}.partial`, 'checkpoint.bin')));

  const fresh = lca(args(run));
  assert.equal(fresh.code, 1);
  assert.match(fresh.stderr, /\.partial holds a killed training of .*; pass --resume to continue it, or --force to start over/);

  const second = await killAfterCheckpoint([...args(run), '--resume'], first.checkpoint + 4);
  assert.equal(second.signal, 'SIGKILL');
  assert.ok(!fs.existsSync(run));

  const other = lca([...args(run), '--resume', '--lr', '0.5']);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /--resume: the config differs from the checkpoint's in optimizer\.lr/);

  const resumed = lca(['train', '--resume', '--out', run]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming at iteration \d+ of 40/);
  assert.ok(fs.readFileSync(path.join(run, 'weights.arrow')).equals(fs.readFileSync(path.join(reference, 'weights.arrow'))), 'weights.arrow differs');
  assert.ok(!fs.existsSync(`${run}.partial`));
  const manifest = JSON.parse(fs.readFileSync(path.join(run, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.training.resumed_at, [first.checkpoint, second.checkpoint]);
  assert.deepEqual(fs.readdirSync(run).sort(), ['manifest.json', 'weights.arrow']);

  const nothing = lca(['train', '--resume', '--out', run]);
  assert.equal(nothing.code, 1);
  assert.match(nothing.stderr, /run is a finished run: nothing to resume/);
});
