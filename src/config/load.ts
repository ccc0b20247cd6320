// Reads a YAML config file and layers command-line overrides on top of it.
import fs from 'node:fs';
import YAML from 'yaml';
import { InputError, UsageError } from '../errors.js';
import type { TrainConfig } from './schema.js';
import { resolveConfig } from './validate.js';

export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: cannot read config (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return YAML.parse(text) ?? {};
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    throw new UsageError(`${file}: not valid YAML (${message})`); // like a bad key: the user must fix the config
  }
}

/** Config = schema defaults ← file (if any) ← flags (dotted keys such as `optimizer.lr`). */
export function loadConfig(file: string | undefined, flags: Record<string, unknown>): TrainConfig {
  const overrides: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const keys = path.split('.');
    let node = overrides;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = value;
  }
  return resolveConfig([
    ...(file ? [{ where: file, values: readConfigFile(file) }] : []),
    { where: 'command line', values: overrides },
  ]);
}
