// The schema metadata of every LCA and gradients part (docs/formats.md): its kind, the settings it was
// computed with, the sha256 of the weights.arrow it was computed from, and who computed it. One typed
// writer and one reader, shared by compute's compatibility check and every reader of a computed run.
import type { describeBackend } from '../backend/names.js';
import { InputError } from '../errors.js';
import { STORES, type Store } from '../lca/aggregate.js';
import { METHODS, type Method } from '../lca/integrate.js';

export type PartKind = 'lca' | 'gradients';

/** What must agree between parts for them to form one matrix. */
export interface ComputeSettings {
  method: Method;
  val: boolean;
  tolerance: number;
  max_splits: number;
  eval_batch_size: number;
  dataset_fingerprint: string;
  per_class: boolean;
  save_gradients: boolean;
  /** N of `--subset N`, or null for the whole training set. */
  subset: number | null;
  subset_seed: number | null;
  /** What a row keeps (`--store`: full, units, layers) and how many iterations it sums (`--every`). */
  store: Store;
  every: number;
}

/** `lca.backend`: the backend that computed the part as compute recorded it (backend/names.ts RunningBackend). */
export type StoredBackend = Parameters<typeof describeBackend>[0] & Record<string, unknown>;

export interface PartMetadata {
  kind: PartKind;
  settings: ComputeSettings;
  /** sha256 of the weights.arrow the part was computed from; null in parts written before it was recorded. */
  weights: string | null;
  backend: StoredBackend;
  /** Training examples per class with --per-class, else []. */
  classCounts: number[];
  /** With --subset: `subset: 5000 of 55000 training examples (seed 0)`. */
  approximation: string | null;
}

/** What parts written before a setting existed were computed with. */
const EARLIER_DEFAULTS: Partial<ComputeSettings> = { per_class: false, save_gradients: false, subset: null, subset_seed: null, store: 'full', every: 1 };

const CHECKS: Record<keyof ComputeSettings, [string, (v: unknown) => boolean]> = {
  method: [`one of ${METHODS.join(', ')}`, (v) => METHODS.includes(v as Method)],
  val: ['true or false', (v) => typeof v === 'boolean'],
  tolerance: ['a number', (v) => typeof v === 'number'],
  max_splits: ['an integer', (v) => Number.isInteger(v)],
  eval_batch_size: ['an integer', (v) => Number.isInteger(v)],
  dataset_fingerprint: ['a string', (v) => typeof v === 'string'],
  per_class: ['true or false', (v) => typeof v === 'boolean'],
  save_gradients: ['true or false', (v) => typeof v === 'boolean'],
  subset: ['an integer or null', (v) => v === null || Number.isInteger(v)],
  subset_seed: ['an integer or null', (v) => v === null || Number.isInteger(v)],
  store: [`one of ${STORES.join(', ')}`, (v) => STORES.includes(v as Store)],
  every: ['a positive integer', (v) => Number.isInteger(v) && (v as number) >= 1],
};
const SETTINGS_KEYS = Object.keys(CHECKS) as (keyof ComputeSettings)[];

export function partMetadataRecord(m: PartMetadata, variables: unknown): Record<string, string> {
  return {
    'lca.kind': m.kind,
    'lca.variables': JSON.stringify(variables),
    'lca.compute': JSON.stringify(m.settings),
    ...(m.weights !== null ? { 'lca.weights_sha256': m.weights } : {}),
    'lca.backend': JSON.stringify(m.backend),
    ...(m.approximation !== null ? { 'lca.approximation': m.approximation } : {}),
    ...(m.classCounts.length > 0 ? { 'lca.class_counts': JSON.stringify(m.classCounts) } : {}),
  };
}

function parseJson(file: string, key: string, text: string | undefined, fallback: unknown): unknown {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${file}: metadata ${key} is not valid JSON`);
  }
}

/** The typed metadata of a part; a missing or mistyped field is an InputError naming the file and field. */
export function readPartMetadata(file: string, metadata: Map<string, string>): PartMetadata {
  const kind = metadata.get('lca.kind');
  if (kind !== 'lca' && kind !== 'gradients') throw new InputError(`${file}: lca.kind is ${JSON.stringify(kind ?? null)}, not an LCA or gradients part`);
  const stored = parseJson(file, 'lca.compute', metadata.get('lca.compute'), null);
  if (typeof stored !== 'object' || stored === null) throw new InputError(`${file}: no lca.compute settings in its metadata`);
  const settings = { ...EARLIER_DEFAULTS, ...stored } as Record<string, unknown>;
  for (const key of SETTINGS_KEYS) {
    const [expected, ok] = CHECKS[key];
    if (!ok(settings[key])) throw new InputError(`${file}: lca.compute.${key} should be ${expected}, got ${JSON.stringify(settings[key] ?? null)}`);
  }
  const weights = metadata.get('lca.weights_sha256') ?? null;
  const backend = parseJson(file, 'lca.backend', metadata.get('lca.backend'), {});
  if (typeof backend !== 'object' || backend === null) throw new InputError(`${file}: lca.backend should be a JSON object`);
  const classCounts = parseJson(file, 'lca.class_counts', metadata.get('lca.class_counts'), []);
  if (!Array.isArray(classCounts) || !classCounts.every(Number.isInteger)) throw new InputError(`${file}: lca.class_counts should be a list of integers`);
  return {
    kind,
    settings: Object.fromEntries(SETTINGS_KEYS.map((k) => [k, settings[k]])) as unknown as ComputeSettings,
    weights,
    backend: backend as StoredBackend,
    classCounts: classCounts as number[],
    approximation: metadata.get('lca.approximation') ?? null,
  };
}

/** `subset 5000 → null, val false → true`: the settings that differ from `from` to `to`, or '' when none do. */
export function settingsDifference(from: ComputeSettings, to: ComputeSettings): string {
  return SETTINGS_KEYS.filter((k) => from[k] !== to[k]).map((k) => `${k} ${JSON.stringify(from[k])} → ${JSON.stringify(to[k])}`).join(', ');
}

/** The first 12 hex digits of a sha256, as messages show it. */
export const shortHash = (sha256: string | null): string => (sha256 === null ? 'unrecorded' : `${sha256.slice(0, 12)}…`);
