// `lca analyze` across runs (several --run, or --vs): one report's fold per run, then statistics over the
// runs' numbers (paper Table 1: helped; Fig. 4 and Section 4: layers), naming every poorly grounded run.
import { across, checkSameVariables, type Across } from '../analyze/across.js';
import { groundingWarning } from '../analyze/grounding-check.js';
import { helpedFold } from '../analyze/helped.js';
import { layersFold } from '../analyze/layers.js';
import { REPORT_NEEDS, type ReportName } from '../analyze/report-names.js';
import { UsageError } from '../errors.js';
import type { Report } from '../report/format.js';
import { acrossRunsReport, helpedReport } from '../report/tables.js';
import type { ComputedRun } from '../store/computed-run.js';
import { groundingOf, openRun, type AnalyzeOptions, type OpenRun } from './analyze.js';

/** Reports that have a form across runs (paper Table 1: helped; Fig. 4 and Section 4: layers). */
export const ACROSS_REPORTS: readonly ReportName[] = ['helped', 'layers'];

export interface AcrossOptions extends Omit<AnalyzeOptions, 'run'> {
  runs: string[];
  /** A second group for Welch's test (--vs); empty for mean ± std and one-sample tests only. */
  vs: string[];
}

/** The next_loss of the last row in the range: the training loss where the range ends. */
function finalLoss(computed: ComputedRun): number {
  let loss = Number.NaN;
  const last = computed.range[1];
  for (const row of computed.scalarRows([last, last])) loss = row.scalar('next_loss');
  return loss;
}

/** One run's numbers by name: helped's summary numbers, or each layer's total LCA plus the final loss. */
async function runNumbers(open: OpenRun, report: ReportName): Promise<Map<string, number>> {
  if (report === 'helped') {
    // Across runs the zeros are not split (that would read every run's weights): those numbers are null and left out.
    const { parameters: _, ...summary } = helpedReport(await open.fold(helpedFold(open.selection)), open.where, null).summary;
    return new Map(Object.entries(summary).filter(([, v]) => v !== null).map(([k, v]) => [k, Number(v)]));
  }
  const layers = await open.fold(layersFold(open.selection));
  return new Map([...layers.layers.map((l): [string, number] => [l.name, l.lca]), ['total_lca', layers.total], ['final_loss', finalLoss(open.computed)]]);
}

const distinct = (values: readonly (string | number | null)[]) => [...new Set(values)].join(', ');

export async function runAcrossRuns(options: AcrossOptions): Promise<Report> {
  const { report, runs, vs } = options;
  if (!ACROSS_REPORTS.includes(report)) {
    throw new UsageError(`--report ${report}: statistics across runs (several --run, or --vs) exist for ${ACROSS_REPORTS.join(' and ')} only`);
  }
  const all = [...runs, ...vs];
  const opened: OpenRun[] = [];
  for (const run of all) opened.push(await openRun(run, options));
  for (const open of opened) open.computed.requireStore(REPORT_NEEDS[report], `analyze --report ${report}`);
  checkSameVariables(all.map((run, i) => ({ run, variables: opened[i].computed.manifest.model.variables })));
  const numbers: Map<string, number>[] = [];
  for (let i = 0; i < all.length; i++) numbers.push(await runNumbers(opened[i], report));
  const first = numbers.slice(0, runs.length);
  const second = numbers.slice(runs.length);
  const stat = (name: string, testZero: boolean): Across =>
    across(name, first.map((m) => m.get(name) ?? Number.NaN), second.length > 0 ? second.map((m) => m.get(name) ?? Number.NaN) : undefined, testZero);
  const names = [...numbers[0].keys()];
  const layerNames = names.filter((n) => n !== 'total_lca' && n !== 'final_loss');
  const where = {
    run: runs.join(', '), // as a single run's context; the summary's `runs` is their number
    ...(vs.length > 0 ? { vs: vs.join(', ') } : {}),
    model: distinct(opened.map((o) => o.where.model)),
    dataset: distinct(opened.map((o) => o.where.dataset)),
    compute_backend: distinct(opened.map((o) => o.where.compute_backend)),
    method: distinct(opened.map((o) => o.computed.method)),
    range: distinct(opened.map((o) => o.where.range)),
    ...(opened.some((o) => 'subset' in o.where) ? { subset: distinct(opened.map((o) => ('subset' in o.where ? o.where.subset! : 'all'))) } : {}),
  };
  const result = acrossRunsReport(report === 'helped'
    ? { report, runs, vs, statistics: names.map((n) => stat(n, false)) }
    : { report: 'layers', runs, vs, statistics: layerNames.map((n) => stat(n, true)), loss: [stat('final_loss', false), stat('total_lca', true)] }, where);
  // A mean over runs hides which of them do not add up, so each such run is named.
  const warnings = all.flatMap((run, i) => {
    const warning = groundingWarning(groundingOf(opened[i].computed));
    return warning ? [`run ${run}: ${warning}`] : [];
  });
  return warnings.length > 0 ? { ...result, warnings } : result;
}
