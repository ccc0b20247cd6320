// The training set of an imported run: an .npz with `x` (float32, in the model's input layout) and
// `y` (integer class ids), optionally `x_val`/`y_val`, or a built-in dataset laid out for the model.
// Fingerprinted like built-in data (sha256 over train x, train y, val x, val y), so compute can
// refuse files that changed since the import.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { loadDataset } from '../data/dataset.js';
import { DATASET_NAMES, type DatasetName, type ImageSet } from '../data/types.js';
import { InputError } from '../errors.js';
import { readNpz } from './npz.js';
import { elementCount, toFloat32, toIntegers, type RawTensor } from './tensors.js';

export interface ExampleData {
  /** A built-in dataset's name, or the .npz file's base name. */
  name: string;
  /** The .npz file (absolute) or the built-in dataset's folder. */
  source: string;
  builtIn: boolean;
  /** Shape of one example, as the model takes it. */
  exampleShape: number[];
  train: ImageSet;
  val: ImageSet;
  numClasses: number;
  fingerprint: string;
  synthetic: boolean;
  /** What was converted on the way (dtype, layout), for the user to see. */
  notes: string[];
}

export interface DataOptions {
  projectRoot: string;
  dataDir?: string;
  /** One example's shape as the model's input declares it (symbolic dimensions as strings). */
  exampleShape: (number | string)[];
  numClasses: number;
}

export const isBuiltInDataset = (spec: string): spec is DatasetName => (DATASET_NAMES as readonly string[]).includes(spec);

function labels(tensor: RawTensor, count: number, numClasses: number, file: string): Uint8Array {
  const values = toIntegers(tensor, file);
  if (tensor.shape.length !== 1 || values.length !== count) throw new InputError(`${file}: ${tensor.name} must be a vector of ${count} labels, found shape [${tensor.shape.join(', ')}]`);
  const bad = values.findIndex((v) => !(v >= 0 && v < numClasses));
  if (bad >= 0) throw new InputError(`${file}: ${tensor.name}[${bad}] = ${values[bad]} is not a class id below ${numClasses} (the model's logits)`);
  return Uint8Array.from(values);
}

/** Checks an example shape against the model's input, where the model fixes a dimension. */
function checkShape(given: readonly number[], wanted: readonly (number | string)[], what: string): void {
  const fits = given.length === wanted.length && wanted.every((d, i) => typeof d !== 'number' || d === given[i]);
  if (!fits) throw new InputError(`${what}: examples of shape [${given.join(', ')}], but the model takes [${wanted.join(', ')}] (after the batch axis)`);
}

function fromNpz(file: string, options: DataOptions): ExampleData {
  const tensors = new Map(readNpz(file).map((t) => [t.name, t]));
  const need = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new InputError(`${file}: no array named ${name} (found ${[...tensors.keys()].join(', ') || 'none'}); save with np.savez(path, x=x, y=y)`);
    return t;
  };
  const notes: string[] = [];
  const set = (xName: string, yName: string): ImageSet => {
    const x = need(xName);
    const count = x.shape[0] ?? 0;
    checkShape(x.shape.slice(1), options.exampleShape, `${file}: ${xName}`);
    if (x.dtype !== 'float32') notes.push(`${path.basename(file)}: ${xName} converted from ${x.dtype} to float32`);
    return { images: toFloat32(x, file), labels: labels(need(yName), count, options.numClasses, file), count };
  };
  const train = set('x', 'y');
  const hasVal = tensors.has('x_val') || tensors.has('y_val');
  const val = hasVal ? set('x_val', 'y_val') : { images: new Float32Array(0), labels: new Uint8Array(0), count: 0 };
  const hash = createHash('sha256');
  for (const bytes of [train.images, train.labels, val.images, val.labels]) hash.update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return {
    name: path.basename(file), source: path.resolve(file), builtIn: false, exampleShape: tensors.get('x')!.shape.slice(1),
    train, val, numClasses: options.numClasses, fingerprint: hash.digest('hex'), synthetic: false, notes,
  };
}

/** NHWC images → NCHW (PyTorch's layout) for C > 1; with one channel both layouts are the same bytes. */
function toChannelsFirst(set: ImageSet, [h, w, c]: readonly number[]): ImageSet {
  const images = new Float32Array(set.images.length);
  const pixels = h * w;
  for (let n = 0; n < set.count; n++) {
    const base = n * pixels * c;
    for (let p = 0; p < pixels; p++) for (let k = 0; k < c; k++) images[base + k * pixels + p] = set.images[base + p * c + k];
  }
  return { ...set, images };
}

function fromBuiltIn(name: DatasetName, options: DataOptions): ExampleData {
  const data = loadDataset(name, { dataDir: options.dataDir, projectRoot: options.projectRoot });
  const [h, w, c] = data.imageShape;
  const wanted = options.exampleShape;
  const notes: string[] = [];
  let { train, val } = data;
  let exampleShape: number[];
  if (wanted.length === 3 && wanted[0] === c && wanted[2] === w && c > 1) {
    train = toChannelsFirst(train, data.imageShape);
    val = toChannelsFirst(val, data.imageShape);
    exampleShape = [c, h, w];
    notes.push(`${name}: images transposed from NHWC to NCHW for the model`);
  } else {
    // [H, W, C], [C, H, W] with one channel, or flattened: the NHWC bytes as they are.
    const count = elementCount(wanted.map((d) => (typeof d === 'number' ? d : -1)));
    if (wanted.some((d) => typeof d !== 'number') || count !== h * w * c) {
      throw new InputError(`--data ${name}: images are ${h}×${w}×${c}, but the model takes [${wanted.join(', ')}] per example`);
    }
    exampleShape = wanted as number[];
  }
  if (data.numClasses > options.numClasses) throw new InputError(`--data ${name}: ${data.numClasses} classes, but the model has ${options.numClasses} logits`);
  return {
    name, source: data.source, builtIn: true, exampleShape, train, val, numClasses: options.numClasses,
    fingerprint: data.fingerprint, synthetic: data.synthetic ?? false, notes,
  };
}

/** Loads `--data`: a built-in dataset name or an .npz file. */
export function loadExampleData(spec: string, options: DataOptions): ExampleData {
  if (isBuiltInDataset(spec)) return fromBuiltIn(spec, options);
  if (path.extname(spec).toLowerCase() !== '.npz') {
    throw new InputError(`--data ${spec}: expected an .npz file (np.savez(path, x=x, y=y)) or a built-in dataset (${DATASET_NAMES.join(', ')})`);
  }
  return fromNpz(spec, options);
}
