// Renders a report for people (an aligned table) or programs (TSV, CSV, JSON). stdout gets only
// this: TSV/CSV carry one table with a header row (`summary`: the headline numbers as name/value
// rows); JSON carries the summary and every table.
import { UsageError } from '../errors.js';

export const FORMATS = ['table', 'tsv', 'csv', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export type Cell = string | number | null;

export interface Table {
  name: string;
  columns: string[];
  rows: Cell[][];
}

export interface Report {
  report: string;
  /** Where the numbers come from: run, backend, dataset, method, iterations. */
  context: Record<string, Cell>;
  /** Single numbers (e.g. `percent_helped`), in JSON at the top level. */
  summary: Record<string, Cell>;
  tables: Table[];
  /** Caveats every reader must see (e.g. poor grounding): a `warning` row in tables and summaries, `warnings` in JSON; the CLI logs them to stderr. */
  warnings?: string[];
}

const tsvCell = (v: Cell) => (v === null ? '' : String(v));

const csvCell = (v: Cell) => {
  const s = tsvCell(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const humanCell = (v: Cell) => {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toPrecision(6).replace(/\.?0+$/, '') : v.toExponential(4);
};

function aligned(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, k) => Math.max(c.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ').trimEnd();
  return [line(columns), ...rows.map(line)].join('\n');
}

/** `--table summary`: the headline numbers (context, then summary) as name/value rows, for pipes. */
export const SUMMARY_TABLE = 'summary';

function summaryTable(report: Report): Table {
  const warnings = (report.warnings ?? []).map((w): Cell[] => ['warning', w]);
  return { name: SUMMARY_TABLE, columns: ['name', 'value'], rows: [['report', report.report], ...warnings, ...Object.entries({ ...report.context, ...report.summary })] };
}

function pickTable(report: Report, name: string | undefined): Table {
  if (name === undefined) return report.tables[0];
  if (name === SUMMARY_TABLE) return summaryTable(report);
  const table = report.tables.find((t) => t.name === name);
  if (!table) throw new UsageError(`report ${report.report} has no table ${name} (tables: ${[SUMMARY_TABLE, ...report.tables.map((t) => t.name)].join(', ')})`);
  return table;
}

export function render(report: Report, format: Format, tableName?: string): string {
  switch (format) {
    case 'json': {
      const tables = Object.fromEntries(report.tables.map((t) => [t.name, t.rows.map((r) => Object.fromEntries(t.columns.map((c, k) => [c, r[k]])))]));
      const warnings = report.warnings?.length ? { warnings: report.warnings } : {};
      return JSON.stringify({ report: report.report, ...warnings, ...report.context, ...report.summary, tables }, null, 2) + '\n';
    }
    case 'tsv':
    case 'csv': {
      const table = pickTable(report, tableName);
      const [cell, sep] = format === 'tsv' ? [tsvCell, '\t'] : [csvCell, ','];
      return [table.columns, ...table.rows].map((r) => r.map((v) => cell(v)).join(sep)).join('\n') + '\n';
    }
    case 'table': {
      const context = [...(report.warnings ?? []).map((w) => ['warning', w]), ...Object.entries(report.context).map(([k, v]) => [k, humanCell(v)])];
      const summary = Object.entries(report.summary).map(([k, v]) => [k, humanCell(v)]);
      const tables = (tableName === SUMMARY_TABLE ? [] : tableName ? [pickTable(report, tableName)] : report.tables)
        .map((t) => `${t.name}\n${aligned(t.columns, t.rows.map((r) => r.map(humanCell)))}`);
      return [aligned(['report', report.report], [...context, ...summary]), ...tables].join('\n\n') + '\n';
    }
  }
}
