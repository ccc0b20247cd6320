// `checkpoint.bin` in a run's staging folder: everything a killed `lca train` needs to go on as if it
// had never stopped. One file (magic, a JSON header, then float32 arrays) written under a temporary
// name, flushed and renamed, so a kill leaves either the old checkpoint or the new one, never half of one.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { TrainConfig } from '../config/schema.js';

export const CHECKPOINT_FILE = 'checkpoint.bin';
const MAGIC = Buffer.from('LCACKPT1');

export interface Checkpoint {
  /** The next iteration: θ is θ_iteration, each optimizer has taken its steps, and the iterate log holds rows 0 … iteration−1. */
  iteration: number;
  config: TrainConfig;
  theta: Float32Array; // [K]
  /** Main optimizer first, then one per group (src/train/per-layer.ts). */
  optimizers: { steps: number; slots: Float32Array[] }[];
  /** Iterations at which earlier runs of this training were resumed, and the seconds trained so far. */
  resumed: number[];
  seconds: number;
}

interface Header {
  iteration: number;
  config: TrainConfig;
  parameters: number;
  optimizers: { steps: number; slots: number }[];
  resumed: number[];
  seconds: number;
}

export const checkpointPath = (staging: string): string => path.join(staging, CHECKPOINT_FILE);

export function writeCheckpoint(staging: string, c: Checkpoint): void {
  const header: Header = {
    iteration: c.iteration, config: c.config, parameters: c.theta.length,
    optimizers: c.optimizers.map((o) => ({ steps: o.steps, slots: o.slots.length })), resumed: c.resumed, seconds: c.seconds,
  };
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(MAGIC.length + 4 + json.length + ((4 - (json.length % 4)) % 4)); // pad: float32s start 4-aligned
  MAGIC.copy(head);
  head.writeUInt32LE(json.length, MAGIC.length);
  json.copy(head, MAGIC.length + 4);
  const arrays = [c.theta, ...c.optimizers.flatMap((o) => o.slots)];
  const file = checkpointPath(staging);
  const temporary = `${file}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, head);
    for (const a of arrays) fs.writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

/** The staging folder's checkpoint, or null when the training was killed before its first one. */
export function readCheckpoint(staging: string): Checkpoint | null {
  const file = checkpointPath(staging);
  if (!fs.existsSync(file)) return null;
  const bytes = fs.readFileSync(file);
  const bad = (why: string) => new InputError(`${file}: not a checkpoint of lca train (${why})`);
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw bad('wrong magic');
  const length = bytes.readUInt32LE(MAGIC.length);
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + length).toString('utf8')) as Header;
  } catch (err) {
    throw bad((err as Error).message);
  }
  let offset = MAGIC.length + 4 + length + ((4 - (length % 4)) % 4);
  const next = (): Float32Array => {
    const end = offset + 4 * header.parameters;
    if (end > bytes.length) throw bad('truncated');
    const a = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + end));
    offset = end;
    return a;
  };
  const theta = next();
  const optimizers = header.optimizers.map((o) => ({ steps: o.steps, slots: Array.from({ length: o.slots }, next) }));
  return { iteration: header.iteration, config: header.config, theta, optimizers, resumed: header.resumed, seconds: header.seconds };
}
