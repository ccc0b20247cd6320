// The iterates of a training in progress, as raw rows in the staging folder (`iterates.f32`: per row
// the minibatch loss, then θ, all float32). Each append is a synchronous write, so whatever a checkpoint
// counts is in the file even if the process is killed the next instant; a resume cuts the rows after
// the checkpoint off. Once training ends the rows become weights.arrow (under a temporary name, renamed
// when complete), batched exactly as an uninterrupted run batches them, so a resumed run's file is byte
// for byte the same.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { ManifestVariable } from './manifest.js';
import { createWeightsWriter, WEIGHTS_FILE } from './weights.js';

export const ITERATE_LOG_FILE = 'iterates.f32';

export class IterateLog {
  private readonly row: Float32Array;

  private constructor(private readonly fd: number, parameters: number) {
    this.row = new Float32Array(1 + parameters);
  }

  /** Opens the log keeping its first `rows` rows (0: a new log); fewer rows than that is an error. */
  static open(staging: string, parameters: number, rows: number): IterateLog {
    const file = path.join(staging, ITERATE_LOG_FILE);
    const bytes = rows * 4 * (1 + parameters);
    let fd: number;
    try {
      fd = fs.openSync(file, rows === 0 ? 'w' : 'r+');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new InputError(`${file} is missing, so the ${rows} iterates its checkpoint counts are lost; --force starts the training over`);
      throw err;
    }
    if (fs.fstatSync(fd).size < bytes) {
      fs.closeSync(fd);
      throw new InputError(`${file}: holds fewer than the ${rows} iterates its checkpoint counts`);
    }
    fs.ftruncateSync(fd, bytes);
    fs.closeSync(fd);
    return new IterateLog(fs.openSync(file, 'a'), parameters);
  }

  append(minibatchLoss: number, theta: Float32Array): void {
    this.row[0] = minibatchLoss;
    this.row.set(theta, 1);
    fs.writeSync(this.fd, new Uint8Array(this.row.buffer));
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  /**
   * Writes rows 0 … rows−1 into `staging`/weights.arrow one at a time: into a temporary that a kill or a
   * full disk may leave half-written (the next call replaces it), renamed when complete. The log stays.
   */
  static async toWeights(staging: string, variables: readonly ManifestVariable[], rows: number): Promise<void> {
    const parameters = variables.reduce((n, v) => n + v.size, 0);
    const file = path.join(staging, ITERATE_LOG_FILE);
    const row = new Float32Array(1 + parameters);
    const bytes = new Uint8Array(row.buffer);
    const temporary = `${WEIGHTS_FILE}.tmp`;
    fs.rmSync(path.join(staging, temporary), { force: true });
    const fd = fs.openSync(file, 'r');
    const weights = createWeightsWriter(staging, variables, temporary);
    try {
      for (let r = 0; r < rows; r++) {
        if (fs.readSync(fd, bytes, 0, bytes.length, r * bytes.length) !== bytes.length) throw new InputError(`${file}: iterate ${r} is missing`);
        await weights.append({ iteration: r, minibatch_loss: row[0] }, row.subarray(1));
      }
    } finally {
      fs.closeSync(fd);
      await weights.close();
    }
    fs.renameSync(path.join(staging, temporary), path.join(staging, WEIGHTS_FILE));
  }
}
