// Type-checks a manifest.json read from disk, every field, so that a hand-edited or foreign manifest
// is a one-line InputError naming the file and the key, never NaN in a report or a TypeError later.
// The config goes through the config validator itself; variables must tile θ in order.
import { InputError, UsageError } from '../errors.js';
import { resolveConfig } from '../config/validate.js';
import { DATASET_NAMES } from '../data/types.js';

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/**
 * Checks `manifest` (parsed JSON of `file`) field by field; throws an InputError naming the first bad key.
 * What every reader needs must be there (model, training.iterations, files.weights); the other sections,
 * absent from the hand-made runs of tests and scripts, are checked when present. `computable`: also
 * what `lca compute` needs to rebuild the network and the data (config, dataset).
 */
export function checkManifest(file: string, manifest: unknown, computable = false): void {
  const fail = (key: string, expected: string, got: unknown): never => {
    throw new InputError(`${file}: ${key}: expected ${expected}, got ${JSON.stringify(got) ?? 'nothing'}`);
  };
  if (!isTree(manifest)) throw new InputError(`${file}: expected a JSON object`);
  const section = (key: string, optional = false): Tree | null => {
    const value = manifest[key];
    if (optional && value === undefined) return null;
    return isTree(value) ? value : fail(key, 'a mapping', value);
  };
  const field = (tree: Tree, key: string, at: string, ok: (v: unknown) => boolean, expected: string, optional = false): void => {
    if (optional && tree[key] === undefined) return;
    if (!ok(tree[key])) fail(at ? `${at}.${key}` : key, expected, tree[key]);
  };
  const str = (v: unknown) => typeof v === 'string' && v !== '';
  const ints = (min: number) => (v: unknown) => Array.isArray(v) && v.every((x) => isInt(x, min));

  field(manifest, 'created', '', str, 'an ISO time', true);
  const config = section('config', !computable);
  // `lca import` records what it knows in place of a training config (src/store/manifest.ts ImportedConfig).
  const imported = config?.model === 'imported';
  if (config && imported) {
    field(config, 'dataset', 'config', str, 'a dataset name');
    field(config, 'data_dir', 'config', (v) => v === null || str(v), 'a folder or null');
    field(config, 'eval_batch_size', 'config', (v) => isInt(v, 1), 'an integer ≥ 1');
  } else if (config) {
    try {
      resolveConfig([{ where: `${file}: config`, values: config }]);
    } catch (err) {
      throw err instanceof UsageError ? new InputError(err.message) : err;
    }
  }
  const info = section('imported', true);
  if (info) {
    field(info, 'model_file', 'imported', (v) => typeof v === 'string' && /^[\w-][\w.-]*$/.test(v), 'a file name');
    field(info, 'steps', 'imported', ints(0), 'a list of steps');
    for (const key of ['input', 'output']) field(info, key, 'imported', str, 'a name');
    field(info, 'example_shape', 'imported', ints(1), 'a list of integers ≥ 1');
    for (const key of ['constants', 'notes']) field(info, key, 'imported', (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), 'a list of strings');
  }

  const model = section('model')!;
  field(model, 'name', 'model', config && !imported ? (v) => v === config.model : str, config && !imported ? `the config's model ${JSON.stringify(config.model)}` : 'a model name');
  field(model, 'parameters', 'model', (v) => isInt(v, 1), 'an integer ≥ 1');
  field(model, 'uses_batch_statistics', 'model', (v) => typeof v === 'boolean', 'true or false', true);
  if (!Array.isArray(model.variables) || model.variables.length === 0) fail('model.variables', 'a list of variables', model.variables);
  let offset = 0;
  (model.variables as unknown[]).forEach((v, k) => {
    const at = `model.variables[${k}]`;
    if (!isTree(v)) return fail(at, 'a mapping of name, shape, offset, size', v);
    field(v, 'name', at, str, 'a non-empty string');
    field(v, 'shape', at, ints(1), 'a list of integers ≥ 1');
    const size = (v.shape as number[]).reduce((a, b) => a * b, 1);
    field(v, 'size', at, (x) => x === size, `${size}, the product of its shape`);
    field(v, 'offset', at, (x) => x === offset, `${offset}, where the variable before it ends`);
    offset += size;
  });
  if (offset !== model.parameters) fail('model.parameters', `${offset}, the variables' total size`, model.parameters);

  const dataset = section('dataset', !computable);
  if (dataset) {
    field(dataset, 'name', 'dataset', computable && !imported ? (v) => DATASET_NAMES.includes(v as never) : str, `one of ${DATASET_NAMES.join(', ')}`);
    field(dataset, 'source', 'dataset', (v) => typeof v === 'string', 'a string', !computable);
    field(dataset, 'train_count', 'dataset', (v) => isInt(v, 1), 'an integer ≥ 1', !computable);
    field(dataset, 'val_count', 'dataset', (v) => isInt(v, 0), 'an integer ≥ 0', !computable);
    field(dataset, 'fingerprint', 'dataset', (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v), 'a sha256 in hex', !computable);
    field(dataset, 'image_shape', 'dataset', (v) => ints(1)(v) && (imported || (v as number[]).length === 3), imported ? 'a list of integers ≥ 1' : 'three integers [H, W, C]', !computable);
    field(dataset, 'num_classes', 'dataset', (v) => isInt(v, 2), 'an integer ≥ 2', !computable);
    field(dataset, 'synthetic', 'dataset', (v) => typeof v === 'boolean', 'true or false', true);
  }

  const training = section('training')!;
  field(training, 'iterations', 'training', (v) => isInt(v, 1), 'an integer ≥ 1');
  field(training, 'iterations_per_epoch', 'training', (v) => isInt(v, 1), 'an integer ≥ 1', true);
  field(training, 'seconds', 'training', (v) => typeof v === 'number' && v >= 0, 'a number ≥ 0', true);
  field(training, 'resumed_at', 'training', ints(0), 'a list of iterations', true);
  field(training, 'diverged_at', 'training', (v) => isInt(v, 1), 'an iteration ≥ 1', true);

  const backend = section('backend', true);
  if (backend) {
    for (const key of ['name', 'package', 'version', 'engine', 'provider']) field(backend, key, 'backend', (v) => typeof v === 'string', 'a string', key !== 'name');
    field(backend, 'threads', 'backend', (v) => isInt(v, 1), 'an integer ≥ 1', true);
  }
  const versions = section('versions', true) ?? {};
  for (const key of Object.keys(versions)) field(versions, key, 'versions', (v) => typeof v === 'string', 'a string');
  // A bare file name: a path here would let a manifest point lca at any file on the machine.
  field(section('files')!, 'weights', 'files', (v) => typeof v === 'string' && /^[\w.-]+\.arrow$/.test(v) && !v.startsWith('.'), 'a file name ending in .arrow');
}

/** The network's variables (name and shape, in θ order) must be the manifest's: else the weights are not this network's. */
export function checkVariablesMatch(file: string, model: string, manifest: readonly { name: string; shape: readonly number[] }[], network: readonly { name: string; shape: readonly number[] }[]): void {
  const describe = (vs: readonly { name: string; shape: readonly number[] }[]) => vs.map((v) => `${v.name} [${v.shape.join(',')}]`).join(', ');
  if (describe(manifest) !== describe(network)) {
    throw new InputError(`${file}: model.variables are not those of ${model} (manifest: ${describe(manifest).slice(0, 120)}…; ${model}: ${describe(network).slice(0, 120)}…)`);
  }
}
