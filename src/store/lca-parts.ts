// The LCA matrix on disk: `lca/<method>/part-<first>-<last>.arrow`, each part the rows t = first …
// last (inclusive) of the T×K matrix plus the per-iteration columns. A part is written under a
// temporary name (store/temporaries.ts) and renamed when complete, so a killed compute loses only
// the part in progress; readers see the parts as one matrix in iteration order and name any gap or overlap.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { unitsOf, type Store } from '../lca/aggregate.js';
import { openRowFile, RowFileWriter, type RowBatch, type RowLayout, type ScalarColumn } from './arrow-rows.js';
import type { ManifestVariable } from './manifest.js';
import { classColumn, classVariableColumn, valVariableColumn } from './per-class-columns.js';
import { formatRanges, missingRanges } from './ranges.js';
import { temporaryName } from './temporaries.js';

export const PER_ITERATION_COLUMNS = ['loss', 'next_loss', 'delta_loss', 'lca_sum', 'error'] as const;

export interface PartFile {
  first: number;
  last: number;
  file: string;
}

const PART_PATTERN = /^part-(\d+)-(\d+)\.arrow$/;
export const partName = (first: number, last: number) => `part-${String(first).padStart(6, '0')}-${String(last).padStart(6, '0')}.arrow`;

export const lcaDir = (run: string, method: string): string => path.join(run, 'lca', method);

export { classColumn, classVariableColumn, valVariableColumn };

/** What a row of the parts holds (`lca compute --store`, `--every`; lca/aggregate.ts). */
export interface StoreOptions {
  store: Store;
  every: number;
}

/**
 * Columns of a part: per-iteration scalars, `val_*` and the validation LCA's per-variable sums
 * `val/<variable>` with --val (what `analyze --report overfitting` needs per layer), and with --per-class (classes > 0)
 * each class's scalars and per-variable sums as float64 scalars — C×V numbers per row rather than C
 * more T×K matrices, which is what per-class synchronization needs (docs/formats.md). `--store units`
 * keeps per variable a vector of its units' sums, `--store layers` a float64 column of its sum named after it,
 * and `--every k` adds `iterations`, the length of the row's block.
 */
export function lcaLayout(variables: readonly ManifestVariable[], withVal: boolean, classes = 0, { store, every }: StoreOptions = { store: 'full', every: 1 }): RowLayout {
  const float64 = (name: string): ScalarColumn => ({ name, type: 'float64' });
  const perClass = Array.from({ length: classes }, (_, c) => [
    ...PER_ITERATION_COLUMNS.map((name) => float64(classColumn(c, name))),
    ...variables.map((v) => float64(classVariableColumn(c, v.name))),
  ]).flat();
  const scalars: ScalarColumn[] = [
    { name: 'iteration', type: 'int32' },
    ...PER_ITERATION_COLUMNS.map(float64),
    { name: 'splits', type: 'int32' },
    ...(withVal ? [...PER_ITERATION_COLUMNS.map((name) => float64(`val_${name}`)), ...variables.map((v) => float64(valVariableColumn(v.name)))] : []),
    ...perClass,
    ...(every > 1 ? [{ name: 'iterations', type: 'int32' as const }] : []),
    ...(store === 'layers' ? variables.map((v) => float64(v.name)) : []),
  ];
  // An imported network's variable may be named like a column (`loss`): its layers sum would overwrite it.
  const clash = scalars.find((c, k) => scalars.findIndex((d) => d.name === c.name) !== k);
  if (clash) throw new InputError(`--store ${store}: variable ${clash.name} has the name of a per-iteration column; use --store units or full`);
  const vectors = store === 'layers' ? [] : variables.map((v) => ({ name: v.name, size: store === 'units' ? unitsOf(v.shape) : v.size }));
  return { scalars, vectors };
}

/** Complete parts in iteration order; overlapping parts are an error naming both files. */
export function listParts(dir: string): PartFile[] {
  if (!fs.existsSync(dir)) return [];
  const parts = fs.readdirSync(dir).flatMap((name) => {
    const m = PART_PATTERN.exec(name);
    return m ? [{ first: Number(m[1]), last: Number(m[2]), file: path.join(dir, name) }] : [];
  });
  parts.sort((a, b) => a.first - b.first);
  for (let k = 1; k < parts.length; k++) {
    if (parts[k].first <= parts[k - 1].last) throw new InputError(`${parts[k - 1].file} and ${parts[k].file} overlap`);
  }
  return parts;
}

export interface PartWriter {
  append(scalars: Record<string, number>, lca: ArrayLike<number>): Promise<void>;
  /** Closes the file and renames it into place: only now do readers see the part. */
  commit(): Promise<string>;
}

export function createPartWriter(dir: string, first: number, last: number, layout: RowLayout, metadata: Record<string, string>): PartWriter {
  fs.mkdirSync(dir, { recursive: true });
  const final = path.join(dir, partName(first, last));
  const temporary = path.join(dir, temporaryName(partName(first, last)));
  fs.rmSync(temporary, { force: true });
  const writer = RowFileWriter.create(temporary, layout, metadata);
  return {
    append: (scalars, lca) => writer.append(scalars, lca),
    async commit() {
      await writer.close();
      fs.renameSync(temporary, final);
      return final;
    },
  };
}

/**
 * Every batch of the rows first … last across a folder's parts, in order. A range that the parts do
 * not cover is an InputError: `missing` words it from the uncovered ranges.
 */
export async function* readPartBatches(dir: string, first: number, last: number, missing: (ranges: string) => string): AsyncGenerator<RowBatch> {
  const parts = listParts(dir);
  const gaps = missingRanges(parts, first, last);
  if (gaps.length > 0) throw new InputError(`${dir}: ${missing(formatRanges(gaps))}`);
  for (const part of parts) {
    if (part.last < first || part.first > last) continue;
    const reader = await openRowFile(part.file);
    try {
      for await (const batch of reader.batches()) yield batch;
    } finally {
      await reader.close();
    }
  }
}

/** The LCA rows t = first … last; a gap names the missing iterations. */
export const readLcaBatches = (dir: string, first: number, last: number): AsyncGenerator<RowBatch> =>
  readPartBatches(dir, first, last, (ranges) => `LCA missing for iterations ${ranges}; run \`lca compute\` for them`);
