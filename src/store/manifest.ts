// manifest.json: everything needed to reproduce a run and to read its files without our code.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { TrainConfig } from '../config/schema.js';
import { checkManifest } from './manifest-check.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'lca-run/1';

export interface ManifestVariable {
  name: string;
  shape: number[];
  offset: number; // first index in the flat θ vector
  size: number;
}

/** What an imported run records in place of a training config: it was trained elsewhere. */
export interface ImportedConfig {
  model: 'imported';
  /** The built-in dataset's name or the data file's base name. */
  dataset: string;
  data_dir: string | null;
  eval_batch_size: number;
}

/** An imported run (`lca import`): where its model, checkpoints and data came from. */
export interface ImportInfo {
  /** The model graph, copied into the run directory. */
  model_file: string;
  /** The model file, checkpoint files and data as given to `lca import`. */
  sources: { model: string; checkpoints: string[]; data: string };
  /** The training step of each row of weights.arrow: row i is the checkpoint of step steps[i]. */
  steps: number[];
  /** The graph's data input and logits output. */
  input: string;
  output: string;
  /** One example's shape as the model takes it. */
  example_shape: number[];
  /** Initializers left constant (in the graph, not in the checkpoints). */
  constants: string[];
  /** Conversions and name rules applied on the way. */
  notes: string[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  created: string; // ISO time
  config: TrainConfig | ImportedConfig;
  model: { name: string; parameters: number; variables: ManifestVariable[]; uses_batch_statistics: boolean };
  dataset: {
    name: string;
    source: string;
    train_count: number;
    val_count: number;
    fingerprint: string; // sha256 of the uint8 train and val data, split order included
    image_shape: number[];
    num_classes: number;
    /** Generated data (synthetic-cifar): results say nothing about a real dataset. Absent in older manifests: false. */
    synthetic?: boolean;
  };
  /**
   * `resumed_at`: iterations at which a killed training was resumed (`lca train --resume`); absent or [] when never.
   * `diverged_at`: the iteration whose loss or θ was not finite; training stopped there and kept the iterates before it.
   */
  training: { iterations: number; iterations_per_epoch: number; seconds: number; resumed_at?: number[]; diverged_at?: number };
  /** What trained it (backend/open.ts RunningBackend); `engine`, `provider` and `threads` are absent in older manifests. */
  backend: { name: string; package: string; version: string; engine?: string; provider?: string; threads?: number };
  versions: Record<string, string>;
  files: { weights: string };
  /** Present for runs made by `lca import` instead of `lca train`. */
  imported?: ImportInfo;
}

/** The training config of a run lca trained; null for an imported run. */
export const trainConfig = (manifest: Manifest): TrainConfig | null => 
  (!manifest.config || manifest.config.model === 'imported' ? null : manifest.config as TrainConfig);

/** Whether a run was trained on generated data (older manifests lack the key: real data). */
export const isSynthetic = (manifest: Manifest): boolean => manifest.dataset.synthetic ?? false;

/** Written under a temporary name and renamed, so a manifest.json that exists is whole. */
export function writeManifest(dir: string, manifest: Manifest): void {
  const file = path.join(dir, MANIFEST_FILE);
  fs.rmSync(`${file}.tmp`, { force: true });
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(manifest, null, 2) + '\n', { flag: 'wx' });
  fs.renameSync(`${file}.tmp`, file);
}

/** The manifest of run `dir`, type-checked; `computable`: with everything `lca compute` needs (src/store/manifest-check.ts). */
export function readManifest(dir: string, computable = false): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${dir}: not a run directory (no ${MANIFEST_FILE}); create one with \`lca train\``);
    throw new InputError(`${file}: cannot read (${code ?? String(err)})`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new InputError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (manifest?.format !== MANIFEST_FORMAT) {
    throw new InputError(`${file}: unsupported manifest format ${JSON.stringify(manifest?.format)} (expected ${MANIFEST_FORMAT})`);
  }
  checkManifest(file, manifest, computable);
  return manifest;
}
