// Turns untrusted YAML/flag values into a TrainConfig: unknown keys, wrong types and
// out-of-range values are UsageErrors that name the key (and the file, when there is one).
import { UsageError } from '../errors.js';
import { normalize } from './normalize.js';
import { FIELDS, type Field, type TrainConfig } from './schema.js';

type Tree = Record<string, unknown>;

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Flattens `{optimizer: {lr: 1}}` into `{'optimizer.lr': 1}`, rejecting keys `fields` lacks;
 * `prefix` is the dotted path so far, `at` what error messages put before it (a list item's `groups[0].`).
 */
function flatten(fields: readonly Field[], tree: Tree, where: string, prefix = '', at = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix + key;
    const isGroup = fields.some((f) => f.path.startsWith(path + '.'));
    if (isGroup) {
      if (!isTree(value)) throw new UsageError(`${where}${at}${path}: expected a mapping of ${groupKeys(fields, path)}`);
      for (const [k, v] of flatten(fields, value, where, path + '.', at)) out.set(k, v);
    } else if (fields.some((f) => f.path === path)) {
      out.set(path, value);
    } else {
      throw new UsageError(`${where}${at}${path}: unknown key (known: ${siblingKeys(fields, prefix)})`);
    }
  }
  return out;
}

const groupKeys = (fields: readonly Field[], group: string) =>
  fields.filter((f) => f.path.startsWith(group + '.')).map((f) => f.path.slice(group.length + 1)).join(', ');

const siblingKeys = (fields: readonly Field[], prefix: string) => [
  ...new Set(fields.filter((f) => f.path.startsWith(prefix)).map((f) => f.path.slice(prefix.length).split('.')[0])),
].join(', ');

/** Checks every field of `fields` against the flattened values (absent: the default, or an error when required). */
function checkFields(fields: readonly Field[], values: Map<string, { value: unknown; where: string }>, where = '', at = ''): Tree {
  const config: Tree = {};
  for (const field of fields) {
    const entry = values.get(field.path);
    if (!entry && field.required) throw new UsageError(`${where}${at}${field.path}: required`);
    setPath(config, field.path, entry ? checkValue(field, entry.value, entry.where, at) : field.default);
  }
  return config;
}

function checkValue(field: Field, value: unknown, where: string, at = ''): unknown {
  const fail = (expected: string) =>
    new UsageError(`${where}${at}${field.path}: expected ${expected}, got ${JSON.stringify(value)}`);
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
    case 'strings':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) throw fail('a list of non-empty strings');
      return value;
    case 'ints':
      if (!Array.isArray(value) || !value.every((v, k) => Number.isInteger(v) && v >= kind.min && (k === 0 || v > value[k - 1]))) {
        throw fail(`an increasing list of integers ≥ ${kind.min}`);
      }
      return value;
    case 'list':
      if (!Array.isArray(value)) throw fail('a list of mappings');
      return value.map((item, k) => {
        const itemAt = `${at}${field.path}[${k}].`;
        if (!isTree(item)) throw new UsageError(`${where}${itemAt.slice(0, -1)}: expected a mapping of ${kind.fields.map((f) => f.path).join(', ')}`);
        const flat = new Map([...flatten(kind.fields, item, where, '', itemAt)].map(([path, v]) => [path, { value: v, where }]));
        return checkFields(kind.fields, flat, where, itemAt);
      });
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
    for (const [path, value] of flatten(FIELDS, layer.values, where)) merged.set(path, { value, where });
  }
  return normalize(checkFields(FIELDS, merged) as unknown as TrainConfig);
}
