// How far apart two computes of the same run are (e.g. ONNX Runtime and TF.js): the relative Frobenius
// difference of their T×K LCA matrices, each one's grounding errors and splits, and the share of rows
// that split alike. Streams both, row by row, so it needs no more memory than two rows.
import { ComputedRun } from '../store/computed-run.js';
import type { Method } from '../lca/integrate.js';

export interface Grounding {
  /** Worst |ΔL − Σ LCA| over rows that stopped doubling before the cap (32 splits). */
  max_abs_error_below_cap: number;
  mean_abs_error: number;
  mean_splits: number;
}

export interface EngineDiff {
  rows: number;
  relative_frobenius_difference: number;
  same_splits_percent: number;
  a: Grounding;
  b: Grounding;
}

export interface LcaRow { lca: Float32Array; error: number; splits: number }

/** A computed run's LCA rows in order, each with its grounding error and Simpson intervals. */
export async function* lcaRows(run: string, method: string): AsyncGenerator<LcaRow> {
  const computed = await ComputedRun.open(run, { method: method as Method }); // an unknown name: "no LCA computed with --method"
  computed.requireStore('full', 'comparing the LCA matrices of two computes');
  const { variables, parameters } = computed.manifest.model;
  for await (const batch of computed.batches([0, computed.manifest.training.iterations - 1])) {
    const errors = batch.scalar('error');
    const splits = batch.scalar('splits');
    for (let r = 0; r < batch.numRows; r++) {
      // One vector column per variable, in manifest order: row r of each, concatenated, is LCA[t, :].
      const lca = new Float32Array(parameters);
      variables.forEach((v, k) => lca.set(batch.vector(k).subarray(r * v.size, (r + 1) * v.size), v.offset));
      yield { lca, error: Number(errors[r]), splits: Number(splits[r]) };
    }
  }
}

function grounding(rows: LcaRow[], cap: number): Grounding {
  const below = rows.filter((r) => r.splits < cap).map((r) => Math.abs(r.error));
  return {
    max_abs_error_below_cap: below.length > 0 ? Math.max(...below) : Number.NaN,
    mean_abs_error: rows.reduce((m, r) => m + Math.abs(r.error), 0) / rows.length,
    mean_splits: rows.reduce((m, r) => m + r.splits, 0) / rows.length,
  };
}

export async function engineDiff(runA: string, runB: string, method = 'adaptive', cap = 32): Promise<EngineDiff> {
  const b = lcaRows(runB, method);
  let diff = 0;
  let norm = 0;
  let same = 0;
  // Only the scalars are kept per row; the LCA vectors are folded into the two sums as they stream.
  const kept: [LcaRow[], LcaRow[]] = [[], []];
  for await (const x of lcaRows(runA, method)) {
    const { value: y, done } = await b.next();
    if (done) throw new Error(`${runB} has fewer LCA rows than ${runA}`);
    for (let i = 0; i < x.lca.length; i++) {
      diff += (x.lca[i] - y.lca[i]) ** 2;
      norm += x.lca[i] ** 2;
    }
    same += Number(x.splits === y.splits);
    kept[0].push({ ...x, lca: new Float32Array(0) });
    kept[1].push({ ...y, lca: new Float32Array(0) });
  }
  const rows = kept[0].length;
  return {
    rows, relative_frobenius_difference: Math.sqrt(diff / norm), same_splits_percent: (100 * same) / rows,
    a: grounding(kept[0], cap), b: grounding(kept[1], cap),
  };
}
