// `lca export`: a run lca trained, in the files other tools read and `lca import` takes back: the
// network's forward graph as ONNX (θ_T in its initializers), one safetensors state dict per iterate,
// and the training set as .npz. Export then import gives the same LCA as the original run.
import fs from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../data/dataset.js';
import type { ImageSet } from '../data/types.js';
import { forwardGraph } from '../engine/forward.js';
import { encodeModel } from '../engine/onnx/encode.js';
import { InputError, UsageError } from '../errors.js';
import { writeNpz } from '../interop/npz.js';
import { writeSafetensors } from '../interop/safetensors.js';
import type { RawTensor } from '../interop/tensors.js';
import { networkNamed } from '../models/registry.js';
import { readManifest, trainConfig } from '../store/manifest.js';
import { stageDir } from '../store/run-dir.js';
import { readIterates } from '../store/weights.js';
import type { Reporter } from './reporter.js';

export const EXPORT_FILES = { model: 'model.onnx', checkpoints: 'ckpt', data: 'train.npz' } as const;

export interface ExportOptions {
  run: string;
  out: string;
  dataDir?: string;
  force: boolean;
  projectRoot: string;
  reporter: Reporter;
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** x (float32, [N, H, W, C] as the graph's `images` input takes them) and y (int64) of one split. */
function split(set: ImageSet, shape: readonly number[], suffix: string): RawTensor[] {
  return [
    { name: `x${suffix}`, dtype: 'float32', shape: [set.count, ...shape], bytes: bytesOf(set.images) },
    { name: `y${suffix}`, dtype: 'int64', shape: [set.count], bytes: bytesOf(BigInt64Array.from(set.labels, (l) => BigInt(l))) },
  ];
}

export async function runExport(options: ExportOptions): Promise<void> {
  const { run, reporter } = options;
  const manifest = readManifest(run);
  const config = trainConfig(manifest);
  if (!config) throw new UsageError(`${run} was made by \`lca import\`; its own model and checkpoints are what it was imported from`);
  const net = networkNamed(config.model);
  const data = loadDataset(config.dataset, { dataDir: options.dataDir ?? config.data_dir ?? undefined, projectRoot: options.projectRoot });
  if (data.fingerprint !== manifest.dataset.fingerprint) {
    throw new InputError(`${data.source}: these ${data.name} files differ from the ones ${run} was trained on`);
  }
  const staged = stageDir(options.out, { force: options.force });
  try {
    const dir = path.join(staged.staging, EXPORT_FILES.checkpoints);
    fs.mkdirSync(dir);
    const digits = Math.max(5, String(manifest.training.iterations).length);
    let last: Float32Array | null = null;
    for await (const { iteration, theta } of readIterates(run, manifest)) {
      const tensors = manifest.model.variables.map((v): RawTensor => ({
        name: v.name, dtype: 'float32', shape: v.shape, bytes: bytesOf(theta.subarray(v.offset, v.offset + v.size)),
      }));
      writeSafetensors(path.join(dir, `step-${String(iteration).padStart(digits, '0')}.safetensors`), tensors);
      last = theta;
    }
    fs.writeFileSync(path.join(staged.staging, EXPORT_FILES.model), encodeModel(forwardGraph(net, last!)));
    writeNpz(path.join(staged.staging, EXPORT_FILES.data), [...split(data.train, data.imageShape, ''), ...split(data.val, data.imageShape, '_val')]);
    staged.commit();
  } catch (err) {
    staged.abandon();
    throw err;
  }
  reporter.info(`exported ${manifest.training.iterations + 1} iterates of ${manifest.model.name} to ${options.out}; ` +
    `import back with: lca import --model ${path.join(options.out, EXPORT_FILES.model)} --checkpoints '${path.join(options.out, EXPORT_FILES.checkpoints, 'step-*.safetensors')}' ` +
    `--data ${path.join(options.out, EXPORT_FILES.data)} --eval-batch-size ${config.eval_batch_size} --out DIR`);
}
