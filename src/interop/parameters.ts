// Checkpoint tensors → rows of θ in the manifest's layout: names matched to the model's float
// initializers (names.ts), shapes checked, dtypes converted to float32 with a note. A checkpoint is
// either one state dict per step or one file whose tensors stack every step along a first axis.
import { InputError } from '../errors.js';
import type { ManifestVariable } from '../store/manifest.js';
import type { OnnxTensor } from '../engine/onnx/model.js';
import { matchNames, SKIPPED_SUFFIX } from './names.js';
import { elementCount, isFloating, toFloat32, type RawTensor } from './tensors.js';

export interface ParameterPlan {
  variables: ManifestVariable[];
  /** manifest variable name → checkpoint tensor name. */
  sources: Map<string, string>;
  /** Float initializers the checkpoints do not hold: they stay constants of the graph. */
  constants: string[];
  /** Each step's tensors stacked in one file: the number of steps it holds, else null. */
  stacked: number | null;
  notes: string[];
  /** Checkpoint tensors read past (values of initializers the loss does not read). */
  skipped: ReadonlySet<string>;
}

const list = (names: readonly string[]) => (names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', '));

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Plans the parameters from the first checkpoint's tensors. The parameters are the model's float
 * initializers that the checkpoint holds (by name or rule), with the initializer's shape (or, for a
 * stacked file, [S, …shape] with one S for all); the other initializers stay constants, and so do
 * `unused` ones (running statistics that training-form batch norm does not read), whose saved values
 * are skipped. A checkpoint tensor that matches no initializer is an error listing them all.
 */
export function planParameters(initializers: readonly OnnxTensor[], first: readonly RawTensor[], file: string, singleFile: boolean, unused: ReadonlySet<string> = new Set()): ParameterPlan {
  const match = matchNames(initializers.map((t) => t.name), first.map((t) => t.name));
  const unusedPairs = [...match.pairs].filter(([init]) => unused.has(init));
  for (const [init] of unusedPairs) match.pairs.delete(init);
  if (match.extra.length > 0 || match.pairs.size === 0) {
    const unmatched = match.missing.length > 0 ? `; the model's initializers without values: ${list(match.missing)}` : '';
    throw new InputError(`${file}: ${match.extra.length > 0 ? `extra tensors ${list(match.extra)} match no initializer of the model` : 'no tensor matches an initializer of the model'}` +
      `${unmatched} (see "When names do not match" in docs/import.md)`);
  }
  const byName = new Map(first.map((t) => [t.name, t]));
  let stacked: number | null = null;
  let offset = 0;
  const variables: ManifestVariable[] = initializers.filter((init) => match.pairs.has(init.name)).map((init) => {
    const tensor = byName.get(match.pairs.get(init.name)!)!;
    if (!isFloating(tensor.dtype)) throw new InputError(`${file}: ${tensor.name} is ${tensor.dtype}, but the model's ${init.name} is float32`);
    const stack = singleFile && sameShape(tensor.shape.slice(1), init.dims) && (stacked === null || stacked === tensor.shape[0]);
    if (!sameShape(tensor.shape, init.dims) && !stack) {
      throw new InputError(`${file}: ${tensor.name} has shape [${tensor.shape.join(', ')}], but the model's ${init.name} is [${init.dims.join(', ')}]`);
    }
    if (stack) stacked = tensor.shape[0];
    else if (stacked !== null) throw new InputError(`${file}: ${tensor.name} is not stacked like the tensors before it`);
    const size = elementCount(init.dims);
    const variable = { name: init.name, shape: [...init.dims], offset, size };
    offset += size;
    return variable;
  });
  const notes = match.byRule.map(([model, checkpoint]) => `checkpoint ${checkpoint} → model ${model} (wrapper prefix ignored)`);
  if (match.skipped.length > 0) notes.push(`skipped ${match.skipped.length} batch-norm counters (${list(match.skipped)})`);
  if (unusedPairs.length > 0) {
    notes.push(`skipped ${unusedPairs.length} batch-norm running statistics, which batch norm in training form does not read (${list(unusedPairs.map(([, c]) => c))})`);
  }
  if (match.missing.length > 0) notes.push(`kept ${match.missing.length} initializers constant, since the checkpoints do not hold them: ${list(match.missing)}`);
  return {
    variables, sources: new Map(variables.map((v) => [v.name, match.pairs.get(v.name)!])), constants: [...match.missing, ...unusedPairs.map(([init]) => init)],
    stacked, notes, skipped: new Set(unusedPairs.map(([, checkpoint]) => checkpoint)),
  };
}

/**
 * θ for each step a file holds (one, or `plan.stacked`), in the plan's layout. `conversions`
 * collects a note per dtype converted to float32.
 */
export function rowsOf(plan: ParameterPlan, tensors: readonly RawTensor[], file: string, conversions: Set<string>): Float32Array[] {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const parameters = plan.variables.reduce((n, v) => n + v.size, 0);
  const rows = Array.from({ length: plan.stacked ?? 1 }, () => new Float32Array(parameters));
  const missing = [...plan.sources.values()].filter((name) => !byName.has(name));
  if (missing.length > 0) throw new InputError(`${file}: missing ${list(missing)} (the first checkpoint holds them)`);
  for (const v of plan.variables) {
    const name = plan.sources.get(v.name)!;
    const tensor = byName.get(name)!;
    const expected = plan.stacked === null ? v.shape : [plan.stacked, ...v.shape];
    if (tensor.shape.join(',') !== expected.join(',')) {
      throw new InputError(`${file}: ${name} has shape [${tensor.shape.join(', ')}], expected [${expected.join(', ')}] as in the first checkpoint`);
    }
    if (tensor.dtype !== 'float32') {
      conversions.add(tensor.dtype === 'float64' ? 'float64 values rounded to float32' : `${tensor.dtype} values widened to float32 (exactly)`);
    }
    const values = toFloat32(tensor, file);
    rows.forEach((row, s) => row.set(values.subarray(s * v.size, (s + 1) * v.size), v.offset));
  }
  const used = new Set(plan.sources.values());
  const unknown = tensors.filter((t) => !used.has(t.name) && !plan.skipped.has(t.name) && !t.name.endsWith(SKIPPED_SUFFIX));
  if (unknown.length > 0) {
    throw new InputError(`${file}: extra tensors ${list(unknown.map((t) => t.name))} (the first checkpoint does not hold them)`);
  }
  return rows;
}
