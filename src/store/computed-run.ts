// The one reader of a computed run (`lca/<method>/`): which method speaks for the run, the rows its parts
// cover, their typed settings, and every part validated before a number is read: readable to its end,
// of the right kind, rows as its name says, the manifest's variables, the same settings as the others,
// computed from this run's weights.arrow. Rows stream batch by batch, or scalars only (no T×K decode).
import path from 'node:path';
import { describeBackend } from '../backend/names.js';
import { ExistsError, InputError, UsageError } from '../errors.js';
import { blockCount, onBlockEdges, storeHolds, unitsOf, type Store } from '../lca/aggregate.js';
import { METHODS, type Method } from '../lca/integrate.js';
import { checkIterationRange } from '../lca/schedule.js';
import type { RowBatch } from './arrow-rows.js';
import { scanRowFile } from './row-scan.js';
import { gradientsDir } from './gradients.js';
import { lcaDir, listParts, readLcaBatches, type PartFile } from './lca-parts.js';
import { readManifest, type Manifest, type ManifestVariable } from './manifest.js';
import { readPartMetadata, settingsDifference, shortHash, type ComputeSettings, type PartKind, type PartMetadata } from './part-metadata.js';
import { formatRanges, mergeAdjacent, missingRanges, type Range } from './ranges.js';
import { weightsFingerprint } from './weights-fingerprint.js';
import { WEIGHTS_FILE } from './weights.js';

export interface CheckedPart extends PartFile {
  metadata: PartMetadata;
  /** Its per-iteration columns (`iteration`, `loss`, `error`, …), rows in order. */
  scalars: Map<string, Float64Array>;
}

/** What a row holds without its LCA vectors. */
export interface ScalarRow {
  iteration: number;
  /** Iterations the row covers: its block's length with `lca compute --every`, else 1. */
  span: number;
  scalar(name: string): number;
}

/** The sha256 of a run's weights.arrow, hashed at most once per reader and only if a part recorded one. */
export type WeightsCheck = () => Promise<string>;

export const weightsCheck = (run: string): WeightsCheck => {
  let sha: Promise<string> | null = null;
  return () => (sha ??= weightsFingerprint(run));
};

/** Rows of an LCA part with --every k are blocks: iterations first, first + k, …; other parts hold every iteration. */
function checkRows(file: string, part: PartFile, iterations: Float64Array | undefined, every: number): void {
  if (!iterations) throw new InputError(`${file}: no iteration column`);
  const expected = blockCount(part.first, part.last, every);
  const wrong = iterations.findIndex((t, r) => t !== part.first + r * every);
  if (iterations.length !== expected || wrong >= 0) {
    const held = iterations.length === 0 ? 'no rows' : `rows ${iterations[0]}-${iterations[iterations.length - 1]} (${iterations.length})`;
    const blocks = every > 1 ? ` in blocks of ${every}` : '';
    throw new InputError(`${file}: its name says rows ${part.first}-${part.last}${blocks}, but it holds ${held}; remove it and rerun \`lca compute\``);
  }
}

/** The vector columns a part of this store holds: every parameter (full), each variable's units, or none (layers, whose sums are scalars). */
function checkVariables(file: string, columns: { name: string; size: number }[], variables: readonly ManifestVariable[], store: Store, scalars: ReadonlyMap<string, unknown>): void {
  const expected = store === 'layers' ? [] : variables.map((v) => ({ name: v.name, size: store === 'units' ? unitsOf(v.shape) : v.size }));
  const differs = columns.length !== expected.length || columns.some((c, k) => c.name !== expected[k].name || c.size !== expected[k].size);
  const missingSum = store === 'layers' ? variables.find((v) => !scalars.has(v.name)) : undefined;
  if (differs || missingSum) {
    const held = columns.map((c) => `${c.name}[${c.size}]`).join(', ') || 'none';
    throw new InputError(`${file}: its vector columns (${held})${missingSum ? ` and no sum column ${missingSum.name}` : ''} are not what --store ${store} keeps of the run's variables (${variables.map((v) => v.name).join(', ')})`);
  }
}

/**
 * One part, validated: readable to its end, of `kind`, holding the rows its name says and the manifest's
 * variables, and, when it records one, computed from the weights.arrow whose sha256 `weights` gives.
 */
export async function checkPart(part: PartFile, kind: PartKind, variables: readonly ManifestVariable[], weights: WeightsCheck): Promise<CheckedPart> {
  const { file } = part;
  const scan = await scanRowFile(file);
  const metadata = readPartMetadata(file, scan.metadata);
  if (metadata.kind !== kind) throw new InputError(`${file}: a ${metadata.kind} part where ${kind} parts belong; move or remove it`);
  const { store, every } = metadata.settings;
  checkRows(file, part, scan.scalars.get('iteration'), kind === 'lca' ? every : 1);
  checkVariables(file, scan.vectorColumns, variables, kind === 'lca' ? store : 'full', scan.scalars);
  if (metadata.weights !== null) {
    const sha = await weights();
    if (metadata.weights !== sha) {
      const run = path.resolve(path.dirname(file), kind === 'lca' ? '../..' : '../../..');
      throw new InputError(`${file}: computed from another ${WEIGHTS_FILE} (sha256 ${shortHash(metadata.weights)}, ${path.join(run, WEIGHTS_FILE)} is ${shortHash(sha)}); ` +
        'the run was replaced or the part copied from another run: rerun `lca compute --force`');
    }
  }
  return { ...part, metadata, scalars: scan.scalars };
}

/** Every part of a folder, validated, all with the same settings (or `expected`'s, when given). */
export async function checkParts(dir: string, kind: PartKind, variables: readonly ManifestVariable[], weights: WeightsCheck, expected?: ComputeSettings): Promise<CheckedPart[]> {
  const checked: CheckedPart[] = [];
  for (const part of listParts(dir)) {
    const next = await checkPart(part, kind, variables, weights);
    // Worded from what is stored to what this compute asks for, or from the first part to this one.
    const difference = expected ? settingsDifference(next.metadata.settings, expected) : checked[0] ? settingsDifference(checked[0].metadata.settings, next.metadata.settings) : '';
    if (difference) {
      if (expected) throw new ExistsError(`${part.file}: computed with other settings than this compute's (${difference}); pass --force to recompute`);
      throw new InputError(`${part.file}: computed with other settings than ${path.basename(checked[0].file)} (${difference}); rerun \`lca compute --force\` with one set of settings`);
    }
    checked.push(next);
  }
  return checked;
}

/** The backends that computed the parts, e.g. `wasm` or `wasm, onnxruntime-cpu`. */
export const computeBackends = (parts: readonly CheckedPart[]): string => [...new Set(parts.map((p) => describeBackend(p.metadata.backend)))].join(', ');

const FINITE_COLUMNS = ['loss', 'next_loss', 'lca_sum', 'error'] as const;

/** `3-5, 9`: rows of these parts (within first … last) whose loss, LCA sum or error is NaN or infinite (a diverged training), or '' when none. */
export function nonFiniteRows(parts: readonly CheckedPart[], range: Range = [0, Infinity]): string {
  const rows: Range[] = [];
  for (const row of scalarRowsOf(parts, range)) if (FINITE_COLUMNS.some((c) => !Number.isFinite(row.scalar(c)))) rows.push([row.iteration, row.iteration]);
  return formatRanges(mergeAdjacent(rows));
}

/** The per-iteration columns of the parts' rows within first … last, in order, from the scalars read at validation. */
export function* scalarRowsOf(parts: readonly CheckedPart[], [first, last]: Range = [0, Infinity]): Generator<ScalarRow> {
  for (const part of parts) {
    if (part.last < first || part.first > last) continue;
    const iterations = part.scalars.get('iteration')!;
    const spans = part.scalars.get('iterations'); // only in blocks of --every k
    for (let r = 0; r < iterations.length; r++) {
      if (iterations[r] < first || iterations[r] > last) continue;
      const scalar = (name: string) => {
        const column = part.scalars.get(name);
        if (!column) throw new InputError(`${part.file}: no column ${name}`);
        return column[r];
      };
      yield { iteration: iterations[r], span: spans?.[r] ?? 1, scalar };
    }
  }
}

const STORE_WORDS: Record<Store, string> = { full: 'every parameter', units: 'per-unit sums', layers: 'per-variable sums' };

/** The context entries of aggregated parts: `store: layers (per-variable sums)` and `lca_rows: blocks of 4 iterations …`; none for full parts. */
export function storeContext({ store, every }: Pick<ComputeSettings, 'store' | 'every'>): { store?: string; lca_rows?: string } {
  return {
    ...(store !== 'full' ? { store: `${store} (${STORE_WORDS[store]})` } : {}),
    ...(every > 1 ? { lca_rows: `blocks of ${every} iterations (lca compute --every ${every}); iteration = the block's first` } : {}),
  };
}

/** Methods with at least one part, in METHODS order. */
export const computedMethods = (run: string): Method[] => METHODS.filter((m) => listParts(lcaDir(run, m)).length > 0);

// When several methods were computed, the most accurate one speaks for the run.
const PREFERENCE: readonly Method[] = ['adaptive', 'simpson', 'first-order'];

/** The requested method if it was computed, else the most accurate computed one. */
export function chooseMethod(run: string, requested: Method | undefined): Method {
  const available = computedMethods(run);
  if (requested) {
    if (!available.includes(requested)) throw new InputError(`${run}: no LCA computed with --method ${requested} (have: ${available.join(', ') || 'none'})`);
    return requested;
  }
  const method = PREFERENCE.find((m) => available.includes(m));
  if (!method) throw new InputError(`${run}: no LCA computed yet; run \`lca compute --run ${run}\` first`);
  return method;
}

/** Every row of the batches whose iteration lies in [first, last], in order; `r` indexes its batch. */
export async function* rowsIn(batches: AsyncIterable<RowBatch>, [first, last]: Range): AsyncGenerator<{ batch: RowBatch; r: number; iteration: number }> {
  for await (const batch of batches) {
    const iterations = batch.scalar('iteration');
    for (let r = 0; r < batch.numRows; r++) if (iterations[r] >= first && iterations[r] <= last) yield { batch, r, iteration: iterations[r] };
  }
}

/** With --every k a row is a block of k iterations from a multiple of k: a range must not cut one. */
function checkBlockRange(run: string, [first, last]: Range, every: number, T: number): Range {
  if (!onBlockEdges(first, last, every, T)) {
    throw new UsageError(`--iterations ${first}:${last + 1}: ${run}'s LCA rows are blocks of ${every} iterations (lca compute --every ${every}); start and end on multiples of ${every} (or at ${T})`);
  }
  return [first, last];
}

export interface OpenOptions {
  method?: Method;
  /** Rows first … last; default the rows from the first part's first to the last part's last. */
  iterations?: Range;
}

/** One method's validated parts of a run, with the rows they are read over. */
export class ComputedRun {
  private constructor(
    readonly run: string,
    readonly manifest: Manifest,
    readonly method: Method,
    readonly parts: CheckedPart[],
    readonly range: Range,
    private readonly weights: WeightsCheck,
  ) {}

  static async open(run: string, options: OpenOptions = {}, manifest = readManifest(run), weights = weightsCheck(run)): Promise<ComputedRun> {
    const method = chooseMethod(run, options.method);
    const parts = await checkParts(lcaDir(run, method), 'lca', manifest.model.variables, weights);
    // Rows asked for outside the run are a usage error (exit 2), as in every command taking --iterations.
    const T = manifest.training.iterations;
    const range = options.iterations
      ? checkBlockRange(run, checkIterationRange(run, options.iterations, T), parts[0].metadata.settings.every, T)
      : [parts[0].first, Math.min(parts[parts.length - 1].last, T - 1)] as Range;
    return new ComputedRun(run, manifest, method, parts, range, weights);
  }

  /** The run's other computed methods over the same rows (for `analyze --report error`). */
  async others(iterations: Range | undefined): Promise<ComputedRun[]> {
    const runs: ComputedRun[] = [];
    for (const m of computedMethods(this.run)) runs.push(m === this.method ? this : await ComputedRun.open(this.run, { method: m, iterations }, this.manifest, this.weights));
    return runs;
  }

  get settings(): ComputeSettings {
    return this.parts[0].metadata.settings;
  }

  /** What a row holds (`lca compute --store`). */
  get store(): Store {
    return this.settings.store;
  }

  /** Iterations per row (`lca compute --every`): a row is the block of iterations from its `iteration` on. */
  get every(): number {
    return this.settings.every;
  }

  /**
   * One line naming the store when its parts lack what `what` (e.g. `analyze --report helped`) needs:
   * every parameter (needed `full`) or per-unit sums (`units`); null when they hold it.
   */
  storeLacks(needed: Store, what: string): string | null {
    if (storeHolds(this.store, needed)) return null;
    const wants = needed === 'full' ? "every parameter's LCA" : 'per-unit LCA';
    const recompute = needed === 'full' ? '--store full' : '--store units or full';
    return `${what} needs ${wants}; ${lcaDir(this.run, this.method)} was computed with --store ${this.store} (recompute with ${recompute})`;
  }

  requireStore(needed: Store, what: string): void {
    const lacks = this.storeLacks(needed, what);
    if (lacks) throw new InputError(lacks);
  }

  /** One line when the rows are blocks (`--every` > 1) and `what` needs a row per iteration; null when they are not. */
  blocksLack(what: string): string | null {
    return this.every === 1 ? null : `${what} needs one row per iteration; ${lcaDir(this.run, this.method)} was computed with --every ${this.every} (recompute with --every 1)`;
  }

  get computeBackend(): string {
    return computeBackends(this.parts);
  }

  get classCounts(): number[] {
    return this.parts[0].metadata.classCounts;
  }

  /** Record batches holding rows first … last (and possibly neighbours: filter with rowsIn); a gap is an InputError. */
  batches([first, last]: Range = this.range): AsyncGenerator<RowBatch> {
    return readLcaBatches(lcaDir(this.run, this.method), first, last);
  }

  /** Rows first … last, one at a time. */
  rows(range: Range = this.range) {
    return rowsIn(this.batches(range), range);
  }

  /** The per-iteration columns of rows first … last, without reading the LCA vectors; a gap is an InputError. */
  scalarRows([first, last]: Range = this.range): Generator<ScalarRow> {
    const gaps = formatRanges(missingRanges(this.parts, first, last));
    if (gaps) throw new InputError(`${lcaDir(this.run, this.method)}: LCA missing for iterations ${gaps}; run \`lca compute\` for them`);
    return scalarRowsOf(this.parts, [first, last]);
  }

  /** The saved gradients' parts (`--save-gradients`), validated like the LCA parts; [] when none were saved. */
  gradientParts(): Promise<CheckedPart[]> {
    return checkParts(gradientsDir(this.run, this.method), 'gradients', this.manifest.model.variables, this.weights, this.settings);
  }
}
