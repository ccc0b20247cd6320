// Which variables form a "layer" (--merge) and which are analysed at all (--layers). Grouping is
// decided on the full variable list first, so a filter never changes which layer a variable joins.
import { layerOf } from '../models/network.js';
import { UsageError } from '../errors.js';
import { compileGlob } from '../util/glob.js';
import type { VariableInfo } from './rows.js';

/**
 * none: every variable alone (the original's "All layers" plot, §8.1). bias: variables sharing the
 * name before the last `/` form one layer (kernel + bias, the paper's Fig. 4). bias+bn: as bias, and a
 * batch-norm layer (last name segment starting `batch_norm`) joins the nearest non-BN layer before
 * it in variable order, i.e. the conv it normalises (ResNet order: conv k, b; bn γ, β; §3.4).
 */
export const MERGES = ['none', 'bias', 'bias+bn'] as const;
export type Merge = (typeof MERGES)[number];

export interface Group {
  name: string;
  /** Indices into the selected variables. */
  members: number[];
  parameters: number;
}

export interface Selection {
  /** The variables analysed, in manifest order. */
  variables: VariableInfo[];
  /** Manifest index of each selected variable. */
  source: number[];
  groups: Group[];
}

const isBatchNorm = (layer: string) => /(^|\/)batch_norm[^/]*$/.test(layer);

/** The group name of every variable under a merge rule. */
export function groupNames(variables: readonly VariableInfo[], merge: Merge): string[] {
  if (merge === 'none') return variables.map((v) => v.name);
  let previous: string | null = null;
  return variables.map((v) => {
    const layer = layerOf(v.name);
    if (merge === 'bias+bn' && isBatchNorm(layer)) return previous ?? layer;
    previous = layer;
    return layer;
  });
}

/** Keeps variables whose own name or group name matches the glob (all when there is none). */
export function selectVariables(variables: readonly VariableInfo[], merge: Merge, pattern?: string): Selection {
  const names = groupNames(variables, merge);
  const glob = pattern === undefined ? null : compileGlob(pattern);
  const source = variables.flatMap((v, k) => (glob === null || glob.test(v.name) || glob.test(names[k]) ? [k] : []));
  if (source.length === 0) {
    throw new UsageError(`--layers ${pattern}: matches no variable or layer (have: ${[...new Set(names)].join(', ')})`);
  }
  const groups = new Map<string, Group>();
  source.forEach((k, index) => {
    const group = groups.get(names[k]) ?? { name: names[k], members: [], parameters: 0 };
    group.members.push(index);
    group.parameters += variables[k].size;
    groups.set(names[k], group);
  });
  return { variables: source.map((k) => variables[k]), source, groups: [...groups.values()] };
}

/** Group index of each selected variable. */
export function groupOfVariable(selection: Selection): Int32Array {
  const of = new Int32Array(selection.variables.length);
  selection.groups.forEach((g, j) => g.members.forEach((k) => (of[k] = j)));
  return of;
}
