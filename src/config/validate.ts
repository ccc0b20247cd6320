// Turns untrusted YAML/flag values into a TrainConfig: unknown keys, wrong types and
// out-of-range values are UsageErrors that name the key (and the file, when there is one).
import { UsageError } from '../errors.js';
import { FIELDS, type Field, type TrainConfig } from './schema.js';

type Tree = Record<string, unknown>;

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Flattens `{optimizer: {lr: 1}}` into `{'optimizer.lr': 1}`, rejecting keys the schema lacks. */
function flatten(tree: Tree, where: string, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix + key;
    const isGroup = FIELDS.some((f) => f.path.startsWith(path + '.'));
    if (isGroup) {
      if (!isTree(value)) throw new UsageError(`${where}${path}: expected a mapping of ${groupKeys(path)}`);
      for (const [k, v] of flatten(value, where, path + '.')) out.set(k, v);
    } else if (FIELDS.some((f) => f.path === path)) {
      out.set(path, value);
    } else {
      throw new UsageError(`${where}${path}: unknown key (known: ${siblingKeys(prefix)})`);
    }
  }
  return out;
}

const groupKeys = (group: string) =>
  FIELDS.filter((f) => f.path.startsWith(group + '.')).map((f) => f.path.slice(group.length + 1)).join(', ');

const siblingKeys = (prefix: string) => [
  ...new Set(FIELDS.filter((f) => f.path.startsWith(prefix)).map((f) => f.path.slice(prefix.length).split('.')[0])),
].join(', ');

function checkValue(field: Field, value: unknown, where: string): unknown {
  const fail = (expected: string) =>
    new UsageError(`${where}${field.path}: expected ${expected}, got ${JSON.stringify(value)}`);
  if (value === null) {
    if (field.nullable) return null;
    throw fail('a value');
  }
  const kind = field.kind;
  switch (kind.type) {
    case 'string':
      if (typeof value !== 'string' || value === '') throw fail('a non-empty string');
      return value;
    case 'choice':
      if (typeof value !== 'string' || !kind.choices.includes(value)) throw fail(`one of ${kind.choices.join(', ')}`);
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < kind.min) throw fail(`an integer ≥ ${kind.min}`);
      return value;
    case 'number': {
      const low = kind.exclusiveMin ? `> ${kind.min}` : `≥ ${kind.min}`;
      const range = kind.max === undefined ? low : `${low} and ≤ ${kind.max}`;
      const ok = typeof value === 'number' && Number.isFinite(value) &&
        (kind.exclusiveMin ? value > kind.min : value >= kind.min) && (kind.max === undefined || value <= kind.max);
      if (!ok) throw fail(`a number ${range}`);
      return value;
    }
  }
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Tree;
  node[keys[keys.length - 1]] = value;
}

/**
 * Builds a config from layers applied in order (defaults, then the file, then flags); each layer
 * names where its values came from, so an error reads e.g. `bad.yaml: optimizer.lr: …`.
 */
export function resolveConfig(layers: { where: string; values: unknown }[]): TrainConfig {
  const merged = new Map<string, { value: unknown; where: string }>();
  for (const layer of layers) {
    if (layer.values === null || layer.values === undefined) continue;
    const where = layer.where ? `${layer.where}: ` : '';
    if (!isTree(layer.values)) throw new UsageError(`${where}expected a mapping of config keys`);
    for (const [path, value] of flatten(layer.values, where)) merged.set(path, { value, where });
  }
  const config: Tree = {};
  for (const field of FIELDS) {
    const entry = merged.get(field.path);
    setPath(config, field.path, entry ? checkValue(field, entry.value, entry.where) : field.default);
  }
  return config as unknown as TrainConfig;
}
