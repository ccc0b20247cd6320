// Runs scripts/reference-gradient.py (PyTorch in float64, lca's conventions) on θ points and examples lca
// holds, through a temporary folder: the job as JSON and safetensors in, loss and gradient (float64) out.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, writeSafetensors } from '../src/interop/safetensors.js';
import type { VariableSlot } from '../src/models/network.js';

const script = fileURLToPath(new URL('../../scripts/reference-gradient.py', import.meta.url));
const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export interface ReferenceJob {
  model: string;
  slots: readonly VariableSlot[];
  evalBatchSize: number;
  /** The evaluated examples in evaluation order: [N, H, W, C] and [N]. */
  images: Float32Array;
  labels: Uint8Array;
  exampleShape: readonly number[];
  thetas: readonly Float32Array[];
}

/** L and ∇L in float64 at each θ of the job (PYTHON, default /usr/bin/python3, needs torch). */
export function float64Reference(job: ReferenceJob): { losses: number[]; gradients: Float64Array[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-reference-'));
  try {
    const size = job.thetas[0].length;
    const count = job.labels.length;
    const thetas = new Float32Array(job.thetas.length * size);
    job.thetas.forEach((theta, p) => thetas.set(theta, p * size));
    fs.writeFileSync(path.join(dir, 'job.json'), JSON.stringify({
      model: job.model, eval_batch_size: job.evalBatchSize, variables: job.slots.map(({ name, shape, offset }) => ({ name, shape, offset })),
    }));
    writeSafetensors(path.join(dir, 'inputs.safetensors'), [
      { name: 'x', dtype: 'float32', shape: [count, ...job.exampleShape], bytes: bytesOf(job.images) },
      { name: 'y', dtype: 'int64', shape: [count], bytes: bytesOf(BigInt64Array.from(job.labels, (l) => BigInt(l))) },
      { name: 'theta', dtype: 'float32', shape: [job.thetas.length, size], bytes: bytesOf(thetas) },
    ]);
    const python = process.env.PYTHON ?? '/usr/bin/python3';
    const files = ['job.json', 'inputs.safetensors', 'out.safetensors'].map((f) => path.join(dir, f));
    const run = spawnSync(python, [script, ...files], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) throw new Error(`${python} ${script} failed (${run.error?.message ?? `exit ${run.status}`})`);
    const out = Object.fromEntries(readSafetensors(files[2]).map((t) => [t.name, t]));
    const float64 = (name: string) => new Float64Array(new Uint8Array(out[name].bytes).buffer);
    const gradients = float64('gradient');
    return { losses: Array.from(float64('loss')), gradients: job.thetas.map((_, p) => gradients.slice(p * size, (p + 1) * size)) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
