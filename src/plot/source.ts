// What a figure may ask of the run it draws (jobs/run-source.ts reads it): the manifest, method and
// rows, the analysis reports, the per-iteration columns and per-parameter LCA. Figures depend on this
// shape only, so plot/ draws and never reads files or runs analyses itself.
import type { ReportName } from '../analyze/report-names.js';
import { InputError } from '../errors.js';
import type { Method } from '../lca/integrate.js';
import type { Cell, Report } from '../report/format.js';
import type { Manifest, ManifestVariable } from '../store/manifest.js';

/** Per-iteration columns of the LCA parts, [T] each. */
export interface IterationSeries {
  iteration: number[];
  loss: number[];
  nextLoss: number[];
  lcaSum: number[];
  error: number[];
}

export interface FigureSource {
  readonly run: string;
  readonly manifest: Manifest;
  readonly method: Method;
  /** Rows first … last (inclusive) that the figures cover. */
  readonly range: [number, number];
  /** The backend(s) that computed the LCA parts. */
  readonly computeBackend: string;
  /** Training examples the LCA was evaluated on when computed with --subset (null: all). */
  readonly subset: number | null;
  /** Whether the validation loss was integrated too (`lca compute --val`): the overfitting figure needs it. */
  readonly val: boolean;
  /** Caveats every figure of this source carries in its title (poor grounding). */
  readonly warnings: string[];
  /** A report of `lca analyze` over this source's method and range. */
  report(name: ReportName): Promise<Report>;
  series(): Promise<IterationSeries>;
  /** A variable by name, or every variable of a layer (`fc_1` → kernel and bias); default the first layer. */
  variablesOf(name: string | undefined): ManifestVariable[];
  /** Per-parameter LCA of the variables, row by row over first … last: [size] per variable, views valid until the next row. */
  parameterRows(variables: ManifestVariable[], range: [number, number]): AsyncGenerator<{ iteration: number; values: Float32Array[] }>;
  /** Per-parameter LCA of the variables summed over rows first … last, [size] per variable. */
  parameterSums(variables: ManifestVariable[], range: [number, number]): Promise<Float64Array[]>;
  /** One line saying where the numbers come from: run, model, data, backends, rows. */
  provenance(): string;
}

/** A report table as row objects (column name → cell), the shape vega-lite data takes. */
export function tableRows(report: Report, name: string): Record<string, Cell>[] {
  const table = report.tables.find((t) => t.name === name);
  if (!table) throw new InputError(`report ${report.report} has no table ${name}`);
  return table.rows.map((r) => Object.fromEntries(table.columns.map((c, k) => [c, r[k]])));
}
