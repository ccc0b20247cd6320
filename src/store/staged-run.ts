// The end of a training inside its staging folder, in an order that a kill or a full disk at any instant
// leaves resumable: manifest.json (renamed into place), then weights.arrow (written under a temporary
// name, renamed), and only then the training's own files are removed. A staging folder that holds both
// manifest.json and weights.arrow is a finished run waiting for its rename; one that lacks either goes
// back to its checkpoint. `config.json`, written first, lets `--resume` start over before any checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../errors.js';
import type { TrainConfig } from '../config/schema.js';
import { resolveConfig } from '../config/validate.js';
import { CHECKPOINT_FILE } from './checkpoint.js';
import { IterateLog, ITERATE_LOG_FILE } from './iterate-log.js';
import { MANIFEST_FILE, readManifest, writeManifest, type Manifest } from './manifest.js';
import { WEIGHTS_FILE } from './weights.js';

export const STAGED_CONFIG_FILE = 'config.json';

export function writeStagedConfig(staging: string, config: TrainConfig): void {
  const file = path.join(staging, STAGED_CONFIG_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(config, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}

/** The config a training started with, or null when it was killed before writing it. */
export function readStagedConfig(staging: string): TrainConfig | null {
  const file = path.join(staging, STAGED_CONFIG_FILE);
  if (!fs.existsSync(file)) return null;
  try {
    return resolveConfig([{ where: file, values: JSON.parse(fs.readFileSync(file, 'utf8')) }]);
  } catch (err) {
    throw new InputError(err instanceof UsageError ? err.message : `${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** The manifest of a finished run still in its staging folder, or null when the training has not finished. */
export function finishedStaged(staging: string): Manifest | null {
  if (!fs.existsSync(path.join(staging, MANIFEST_FILE)) || !fs.existsSync(path.join(staging, WEIGHTS_FILE))) return null;
  return readManifest(staging);
}

/** Removes what an interrupted finish left (a manifest without weights, a half-written temporary) before training resumes. */
export function clearUnfinished(staging: string): void {
  for (const name of [MANIFEST_FILE, WEIGHTS_FILE]) {
    fs.rmSync(path.join(staging, name), { force: true });
    fs.rmSync(path.join(staging, `${name}.tmp`), { force: true });
  }
}

/** Removes the files only a training in progress needs, once the run beside them is whole. */
export function removeTrainingFiles(staging: string): void {
  for (const name of [ITERATE_LOG_FILE, CHECKPOINT_FILE, STAGED_CONFIG_FILE]) fs.rmSync(path.join(staging, name), { force: true });
}

/** Turns a finished training's rows 0 … T into a run in `staging`, ready to be renamed. */
export async function finishStaged(staging: string, manifest: Manifest): Promise<void> {
  writeManifest(staging, manifest);
  await IterateLog.toWeights(staging, manifest.model.variables, manifest.training.iterations + 1);
  removeTrainingFiles(staging);
}
