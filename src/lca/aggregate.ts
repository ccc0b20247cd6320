// `lca compute --store full|units|layers --every k`: what a stored row holds. A row is a block of k
// consecutive iterations (the last block of the run may be shorter) whose LCA and loss-change columns
// are sums over the block, so every row stays grounded: error = delta_loss − lca_sum = Σ of the
// iterations' errors. `full` keeps every parameter; `units` sums each variable over all but its last
// axis (per output unit); `layers` sums each variable to one number. Memory: one [K] float64 sum.

/** Most detail first: a store holds what every store after it holds. */
export const STORES = ['full', 'units', 'layers'] as const;
export type Store = (typeof STORES)[number];

/** Whether parts of store `held` can serve a reader that needs `needed`. */
export const storeHolds = (held: Store, needed: Store): boolean => STORES.indexOf(held) <= STORES.indexOf(needed);

export interface StoredVariable {
  name: string;
  shape: readonly number[];
  offset: number;
  size: number;
}

/** The last axis is the unit: Dense kernels are (in, out), conv kernels (h, w, in, out); a scalar is one unit. */
export const unitsOf = (shape: readonly number[]): number => shape.at(-1) ?? 1;

/** Σ of each variable's LCA, in variable order (float64). */
export const variableSums = (variables: readonly StoredVariable[], lca: ArrayLike<number>): number[] =>
  variables.map((v) => {
    let sum = 0;
    for (let i = v.offset; i < v.offset + v.size; i++) sum += lca[i];
    return sum;
  });

/** The vector a store keeps of one LCA row: [K] (full), [Σ units] (units), nothing (layers). */
export function storedVector(store: Store, variables: readonly StoredVariable[], lca: ArrayLike<number>): ArrayLike<number> {
  if (store === 'full') return lca;
  if (store === 'layers') return [];
  const out = new Float64Array(variables.reduce((n, v) => n + unitsOf(v.shape), 0));
  let at = 0;
  for (const v of variables) {
    const units = unitsOf(v.shape);
    for (let i = 0; i < v.size; i++) out[at + (i % units)] += lca[v.offset + i]; // C order: the last index varies fastest
    at += units;
  }
  return out;
}

// Over a block, `loss` columns (loss, val_loss, class_3_loss) keep the first iterate's value and
// `next_loss` columns the last one's; `splits` keeps the block's most; every other column is summed.
const isLastOfBlock = (name: string) => name.endsWith('next_loss');
const isFirstOfBlock = (name: string) => name.endsWith('loss') && !isLastOfBlock(name) && !name.endsWith('delta_loss');

export interface StoredRow {
  /** The row's columns; `iterations` is the block's length. */
  scalars: Record<string, number>;
  /** [K], summed over the block. */
  lca: Float64Array;
}

/**
 * Folds per-iteration rows into blocks ending at `blockEnd(t)`. `add` returns the finished block at its
 * last iteration and null before. Scalars: `iteration` = the block's first, `iterations` = its length,
 * `splits` = its most, `*loss` the first value, `*next_loss` the last, everything else summed.
 */
export function blockAccumulator(parameters: number, blockEnd: (t: number) => number) {
  let block: StoredRow | null = null;
  return {
    add(scalars: Record<string, number>, lca: ArrayLike<number>): StoredRow | null {
      const t = scalars.iteration;
      if (!block) {
        block = { scalars: { ...scalars, iterations: 0 }, lca: new Float64Array(parameters) };
        for (const name of Object.keys(scalars)) if (name !== 'iteration' && name !== 'splits' && !isFirstOfBlock(name)) block.scalars[name] = 0;
      }
      const s = block.scalars;
      s.iterations++;
      for (const [name, value] of Object.entries(scalars)) {
        if (name === 'iteration' || isFirstOfBlock(name)) continue;
        if (name === 'splits') s.splits = Math.max(s.splits, value);
        else if (isLastOfBlock(name)) s[name] = value;
        else s[name] += value;
      }
      for (let i = 0; i < parameters; i++) block.lca[i] += lca[i];
      if (t < blockEnd(t)) return null;
      const done = block;
      block = null;
      return done;
    },
  };
}

/** Blocks of k iterations from 0: iteration t's block ends at min(⌊t/k⌋·k + k, T) − 1. */
export const blockEndOf = (every: number, T: number) => (t: number): number => Math.min(Math.floor(t / every) * every + every, T) - 1;

/** Whether rows first … last start on a block edge and end on one (or at the run's end, T − 1). */
export const onBlockEdges = (first: number, last: number, every: number, T: number): boolean =>
  first % every === 0 && ((last + 1) % every === 0 || last === T - 1);

/** Rows a part of iterations first … last holds: one per block (first lies on a block edge). */
export const blockCount = (first: number, last: number, every: number): number => Math.ceil((last - first + 1) / every);
