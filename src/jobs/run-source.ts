// What the figures of `lca plot` and `lca report` draw, read once per run through the computed-run
// reader: the analysis reports (runAnalysis, never recomputed here), the per-iteration columns (from
// the parts' scalars, no T×K decode) and per-parameter LCA for heatmaps.
import path from 'node:path';
import type { ReportName } from '../analyze/report-names.js';
import { describeBackend } from '../backend/names.js';
import { UsageError } from '../errors.js';
import { describeSubset } from '../lca/subset.js';
import { layerOf } from '../models/network.js';
import type { FigureSource, IterationSeries } from '../plot/source.js';
import type { Report } from '../report/format.js';
import { ComputedRun, type OpenOptions } from '../store/computed-run.js';
import { isSynthetic, type ManifestVariable } from '../store/manifest.js';
import { rowsDescription } from '../store/steps.js';
import { groundingWarning } from '../analyze/grounding-check.js';
import { groundingOf, runAnalysis } from './analyze.js';

export class RunSource implements FigureSource {
  private readonly reports = new Map<ReportName, Promise<Report>>();

  static async open(run: string, options: OpenOptions = {}): Promise<RunSource> {
    return new RunSource(await ComputedRun.open(run, options));
  }

  /** Caveats every figure of this source carries in its title: poor grounding, with the numbers. */
  readonly warnings: string[];

  private constructor(readonly computed: ComputedRun) {
    const warning = groundingWarning(groundingOf(computed));
    this.warnings = warning ? [warning] : [];
  }

  get run() { return this.computed.run; }
  get manifest() { return this.computed.manifest; }
  get method() { return this.computed.method; }
  get range() { return this.computed.range; }
  get computeBackend() { return this.computed.computeBackend; }
  get subset() { return this.computed.settings.subset; }
  get val() { return this.computed.settings.val; }

  /** A report of `lca analyze` over this source's method and range (computed once per source). */
  report(name: ReportName): Promise<Report> {
    let report = this.reports.get(name);
    if (!report) {
      report = runAnalysis({ run: this.run, report: name, method: this.method, iterations: this.range });
      this.reports.set(name, report);
    }
    return report;
  }

  async series(): Promise<IterationSeries> {
    const out: IterationSeries = { iteration: [], loss: [], nextLoss: [], lcaSum: [], error: [] };
    for (const row of this.computed.scalarRows()) {
      out.iteration.push(row.iteration);
      out.loss.push(row.scalar('loss'));
      out.nextLoss.push(row.scalar('next_loss'));
      out.lcaSum.push(row.scalar('lca_sum'));
      out.error.push(row.scalar('error'));
    }
    return out;
  }

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

  async *parameterRows(variables: ManifestVariable[], range: [number, number]): AsyncGenerator<{ iteration: number; values: Float32Array[] }> {
    const index = variables.map((v) => this.manifest.model.variables.findIndex((w) => w.name === v.name));
    for await (const { batch, r, iteration } of this.computed.rows(range)) {
      yield { iteration, values: variables.map((v, k) => batch.vector(index[k]).subarray(r * v.size, (r + 1) * v.size)) };
    }
  }

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

  provenance(): string {
    const { dataset, model, backend, training } = this.manifest;
    const data = isSynthetic(this.manifest)
      ? 'SYNTHETIC data'
      : dataset.name.endsWith('-fixture') ? `subset, ${dataset.train_count} training images` : `${dataset.train_count} training images`;
    const approximate = this.subset === null ? '' : `, LCA on a subset: ${describeSubset({ count: this.subset, of: dataset.train_count })}`;
    const [first, last] = this.range;
    const rows = first === 0 && last === training.iterations - 1 ? `all ${training.iterations} iterations` : `iterations ${first}:${last + 1} of ${training.iterations}`;
    const steps = rowsDescription(this.manifest);
    // Aggregated parts: each point of a per-iteration figure is then a block's sum (lca compute --every).
    const blocks = this.computed.every > 1 ? `, one row per block of ${this.computed.every} iterations` : '';
    return `run ${path.basename(path.resolve(this.run))} · ${model.name} on ${dataset.name} (${data}) · ${rows}${steps ? ` (${steps})` : ''} · trained on ${describeBackend(backend)}, LCA computed on ${this.computeBackend} (${this.method}${approximate}${blocks})`;
  }
}
