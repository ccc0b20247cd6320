// Checkpoint files → a list of state dicts with their training steps: one safetensors or .npz file
// per step (the step taken from the file name or given), or one file whose every tensor stacks the
// T+1 iterates along a new first axis.
import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { readNpz } from './npz.js';
import { readSafetensors } from './safetensors.js';
import type { RawTensor } from './tensors.js';

export interface CheckpointFile {
  file: string;
  step: number;
}

const escapeRegExp = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** Expands `*` and `?` in a path's last component (the shell may already have expanded them). */
export function expandPattern(pattern: string): string[] {
  const base = path.basename(pattern);
  if (!/[*?]/.test(base)) return [pattern];
  const dir = path.dirname(pattern);
  const re = new RegExp(`^${base.split('').map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : escapeRegExp(c))).join('')}$`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    throw new InputError(`--checkpoints ${pattern}: cannot read the folder ${dir}`);
  }
  return names.filter((n) => re.test(n)).map((n) => path.join(dir, n));
}

/** The step in a file name: its last run of digits (`step-00120.safetensors` → 120). */
export function stepFromName(file: string): number | null {
  const stem = path.basename(file).replace(/\.[^.]*$/, '');
  const runs = stem.match(/\d+/g);
  return runs ? Number(runs[runs.length - 1]) : null;
}

/**
 * The checkpoint files in step order. Steps come from `steps` when given (in the files' sorted-name
 * order), else from the file names; they must be distinct.
 */
export function orderCheckpoints(files: readonly string[], steps?: readonly number[]): CheckpointFile[] {
  if (files.length === 0) throw new InputError('--checkpoints: no files match');
  let list: CheckpointFile[];
  if (steps) {
    if (files.length > 1 && steps.length !== files.length) throw new UsageError(`--steps gives ${steps.length} steps for ${files.length} checkpoint files`);
    const sorted = [...files].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    list = sorted.map((file, i) => ({ file, step: steps[i] }));
  } else {
    list = files.map((file) => {
      const step = stepFromName(file) ?? (files.length === 1 ? 0 : null); // a lone (stacked) file needs no step
      if (step === null) throw new UsageError(`--checkpoints: ${file} has no step number in its name; pass --steps`);
      return { file, step };
    });
  }
  list.sort((a, b) => a.step - b.step);
  for (let i = 1; i < list.length; i++) {
    if (list[i].step === list[i - 1].step) throw new UsageError(`--checkpoints: ${list[i - 1].file} and ${list[i].file} are both step ${list[i].step}`);
  }
  return list;
}

/** A state dict from a safetensors or .npz file. */
export function readStateDict(file: string): RawTensor[] {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.safetensors') return readSafetensors(file);
  if (extension === '.npz') return readNpz(file);
  if (!fs.existsSync(file)) throw new InputError(`${file}: no such file`);
  throw new InputError(`${file}: checkpoints must be .safetensors or .npz files (PyTorch: safetensors.torch.save_file(model.state_dict(), path))`);
}

/** Parses `--steps`: `0,10,20` or `a:b:k` (a, a+k, … up to b inclusive). */
export function parseSteps(text: string): number[] {
  const range = /^(\d+):(\d+):(\d+)$/.exec(text.trim());
  if (range) {
    const [a, b, k] = range.slice(1).map(Number);
    if (k === 0 || b < a) throw new UsageError(`--steps ${text}: expected a:b:k with a ≤ b and k > 0`);
    return Array.from({ length: Math.floor((b - a) / k) + 1 }, (_, i) => a + i * k);
  }
  const steps = text.split(',').map((s) => s.trim());
  if (steps.some((s) => !/^\d+$/.test(s))) throw new UsageError(`--steps ${text}: expected comma-separated non-negative integers or a:b:k`);
  return steps.map(Number);
}
