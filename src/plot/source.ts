// What the figures draw, read once per run: the analysis reports (runAnalysis, never recomputed
// here), the per-iteration columns of the LCA parts, and per-parameter LCA for heatmaps.
import path from 'node:path';
import { describeBackend, describeStoredBackend } from '../backend/names.js';
import { InputError, UsageError } from '../errors.js';
import { chooseMethod, runAnalysis, type ReportName } from '../jobs/analyze.js';
import type { Method } from '../lca/integrate.js';
import { layerOf } from '../models/network.js';
import type { Cell, Report } from '../report/format.js';
import { firstPartMetadata, lcaDir, listParts, readLcaBatches } from '../store/lca-parts.js';
import { isSynthetic, readManifest, type Manifest, type ManifestVariable } from '../store/manifest.js';
import { rowsDescription } from '../store/steps.js';
import { describeSubset } from '../lca/subset.js';

export interface SourceOptions {
  method?: Method;
  /** Rows first … last (inclusive); default every computed row. */
  iterations?: [number, number];
}

/** Per-iteration columns of the LCA parts, [T] each. */
export interface IterationSeries {
  iteration: number[];
  loss: number[];
  nextLoss: number[];
  lcaSum: number[];
  error: number[];
}

export class RunSource {
  readonly manifest: Manifest;
  readonly method: Method;
  readonly range: [number, number];
  private readonly reports = new Map<ReportName, Promise<Report>>();
  private seriesCache?: Promise<IterationSeries>;
  /** The backend that computed the LCA parts (their `lca.backend` metadata), set by open(). */
  computeBackend = 'unknown';
  /** Training examples the LCA was evaluated on when computed with --subset (null: all). */
  subset: number | null = null;

  static async open(run: string, options: SourceOptions = {}): Promise<RunSource> {
    const source = new RunSource(run, options);
    const metadata = await firstPartMetadata(lcaDir(run, source.method));
    source.computeBackend = describeStoredBackend(metadata?.get('lca.backend'));
    source.subset = (JSON.parse(metadata?.get('lca.compute') ?? '{}') as { subset?: number | null }).subset ?? null;
    return source;
  }

  private constructor(readonly run: string, options: SourceOptions = {}) {
    this.manifest = readManifest(run);
    this.method = chooseMethod(run, options.method); // as `lca analyze` picks it
    const parts = listParts(lcaDir(run, this.method));
    const [first, last] = options.iterations ?? [parts[0].first, parts[parts.length - 1].last];
    this.range = [first, Math.min(last, this.manifest.training.iterations - 1)];
  }

  /** A report of `lca analyze` over this source's method and range (computed once per source). */
  report(name: ReportName): Promise<Report> {
    let report = this.reports.get(name);
    if (!report) {
      report = runAnalysis({ run: this.run, report: name, method: this.method, iterations: this.range });
      this.reports.set(name, report);
    }
    return report;
  }

  series(): Promise<IterationSeries> {
    this.seriesCache ??= this.readSeries();
    return this.seriesCache;
  }

  private async readSeries(): Promise<IterationSeries> {
    const out: IterationSeries = { iteration: [], loss: [], nextLoss: [], lcaSum: [], error: [] };
    const [first, last] = this.range;
    for await (const batch of readLcaBatches(lcaDir(this.run, this.method), first, last)) {
      const [it, loss, next, sum, error] = ['iteration', 'loss', 'next_loss', 'lca_sum', 'error'].map((c) => batch.scalar(c));
      for (let r = 0; r < batch.numRows; r++) {
        if (it[r] < first || it[r] > last) continue;
        out.iteration.push(it[r]);
        out.loss.push(loss[r]);
        out.nextLoss.push(next[r]);
        out.lcaSum.push(sum[r]);
        out.error.push(error[r]);
      }
    }
    return out;
  }

  /** A variable by name, or every variable of a layer (`fc_1` → kernel and bias); default the first layer. */
  variablesOf(name: string | undefined): ManifestVariable[] {
    const variables = this.manifest.model.variables;
    const layer = name ?? layerOf(variables[0].name);
    const exact = variables.filter((v) => v.name === layer);
    const found = exact.length > 0 ? exact : variables.filter((v) => layerOf(v.name) === layer);
    if (found.length === 0) {
      const layers = [...new Set(variables.map((v) => layerOf(v.name)))];
      throw new UsageError(`--layer ${layer}: no such variable or layer in ${this.run} (layers: ${layers.join(', ')}; or a variable such as ${variables[0].name})`);
    }
    return found;
  }

  /** Per-parameter LCA of the variables, row by row over first … last: [size] per variable, views valid until the next row. */
  async *parameterRows(variables: ManifestVariable[], [first, last]: [number, number]): AsyncGenerator<{ iteration: number; values: Float32Array[] }> {
    const index = variables.map((v) => this.manifest.model.variables.findIndex((w) => w.name === v.name));
    for await (const batch of readLcaBatches(lcaDir(this.run, this.method), first, last)) {
      const it = batch.scalar('iteration');
      for (let r = 0; r < batch.numRows; r++) {
        if (it[r] < first || it[r] > last) continue;
        yield { iteration: it[r], values: variables.map((v, k) => batch.vector(index[k]).subarray(r * v.size, (r + 1) * v.size)) };
      }
    }
  }

  /** Per-parameter LCA of the variables summed over rows first … last, [size] per variable. */
  async parameterSums(variables: ManifestVariable[], range: [number, number]): Promise<Float64Array[]> {
    const sums = variables.map((v) => new Float64Array(v.size));
    for await (const { values } of this.parameterRows(variables, range)) {
      values.forEach((row, k) => {
        const sum = sums[k];
        for (let i = 0; i < row.length; i++) sum[i] += row[i];
      });
    }
    return sums;
  }

  /** One line saying where the numbers come from: run, model, data (full, subset or synthetic), backends, rows. */
  provenance(): string {
    const { dataset, model, backend, training } = this.manifest;
    const data = isSynthetic(this.manifest)
      ? 'SYNTHETIC data'
      : dataset.name.endsWith('-fixture') ? `subset, ${dataset.train_count} training images` : `${dataset.train_count} training images`;
    const approximate = this.subset === null ? '' : `, LCA on a subset: ${describeSubset({ count: this.subset, of: dataset.train_count })}`;
    const [first, last] = this.range;
    const rows = first === 0 && last === training.iterations - 1 ? `all ${training.iterations} iterations` : `iterations ${first}:${last + 1} of ${training.iterations}`;
    const steps = rowsDescription(this.manifest);
    return `run ${path.basename(path.resolve(this.run))} · ${model.name} on ${dataset.name} (${data}) · ${rows}${steps ? ` (${steps})` : ''} · trained on ${describeBackend(backend)}, LCA computed on ${this.computeBackend} (${this.method}${approximate})`;
  }
}

/** A report table as row objects (column name → cell), the shape vega-lite data takes. */
export function tableRows(report: Report, name: string): Record<string, Cell>[] {
  const table = report.tables.find((t) => t.name === name);
  if (!table) throw new InputError(`report ${report.report} has no table ${name}`);
  return table.rows.map((r) => Object.fromEntries(table.columns.map((c, k) => [c, r[k]])));
}
