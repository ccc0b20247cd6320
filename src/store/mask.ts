// mask.arrow (`lca prune --out`): one row per kept fraction, one FixedSizeList<Float32> column per
// variable laid out as in weights.arrow, 1 = kept and 0 = pruned, so θ ⊙ mask is an elementwise product.
// Written under a temporary name and renamed, so a mask file that exists is complete (docs/formats.md).
import fs from 'node:fs';
import path from 'node:path';
import { RowFileWriter } from './arrow-rows.js';
import type { ManifestVariable } from './manifest.js';

export interface MaskRow {
  keep: number; // the requested fraction
  kept: number; // parameters kept, round(keep·K)
  mask: Uint8Array; // [K], θ's order
}

export async function writeMaskFile(file: string, variables: readonly ManifestVariable[], rows: readonly MaskRow[], settings: object): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  const writer = RowFileWriter.create(temporary, {
    scalars: [{ name: 'keep', type: 'float64' }, { name: 'kept', type: 'int32' }],
    vectors: variables.map((v) => ({ name: v.name, size: v.size })),
  }, { 'lca.kind': 'mask', 'lca.variables': JSON.stringify(variables), 'lca.prune': JSON.stringify(settings) });
  try {
    for (const row of rows) await writer.append({ keep: row.keep, kept: row.kept }, row.mask);
    await writer.close();
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}
