// `lca report`: one self-contained HTML file for a run — manifest summary, every figure (inline SVG,
// made live by the inlined vega runtime for tooltips) and every analysis table. No network: the
// only script is vega's own build, read from node_modules by path, and images are data: URLs.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describeBackend } from '../backend/names.js';
import { LcaError } from '../errors.js';
import type { ReportName } from '../analyze/report-names.js';
import { trainConfig } from '../store/manifest.js';
import { rowsDescription } from '../store/steps.js';
import type { Method } from '../lca/integrate.js';
import type { Figure } from '../plot/figure.js';
import { buildFigure, FIGURES, type FigureName } from '../plot/figures.js';
import { FIGURE_NEEDS } from '../plot/names.js';
import { compileSpec, svgFromVega } from '../plot/render.js';
import type { Cell, Report, Table } from '../report/format.js';
import { canFreeze } from './act-reports.js';
import { reportLacks } from './analyze.js';
import type { Reporter } from './reporter.js';
import { RunSource } from './run-source.js';

export interface HtmlReportOptions {
  run: string;
  out: string;
  method?: Method;
  iterations?: [number, number];
  reporter: Reporter;
}

// Every analysis `lca analyze` has; oscillations also reads weights.arrow, so a run without it (a
// generated or pruned one) gets a note there instead.
const TABLE_REPORTS: readonly ReportName[] = ['helped', 'layers', 'error', 'sync', 'concentration', 'tails', 'oscillations', 'neurons'];
const NEEDS_WEIGHTS: readonly ReportName[] = ['oscillations'];
/** Figures and tables that need the validation LCA (`lca compute --val`), left out without it. */
const NEEDS_VAL: readonly string[] = ['overfitting'];
const MAX_ROWS = 300; // per table: a 10,000-iteration run would otherwise make a page of megabytes
const MAX_HEATMAP_LAYERS = 12;
const FRAME = 20; // Fig. 2 shows iteration 20, "partly through the main drop in loss"

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// Inside <script>, only "</script" (and "<!--") can end the element early.
const scriptSafe = (s: string) => s.replace(/<(\/script|!--)/gi, '\\u003c$1');

const cellText = (v: Cell) => {
  if (v === null) return '';
  if (typeof v === 'number' && !Number.isInteger(v) && Number.isFinite(v)) return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? String(Number(v.toPrecision(6))) : v.toExponential(4);
  return String(v);
};

function tableHtml(table: Table): string {
  const rows = table.rows.slice(0, MAX_ROWS);
  const more = table.rows.length > rows.length
    ? `<p class="note">first ${MAX_ROWS} of ${table.rows.length} rows; all of them: <code>lca analyze --table ${escapeHtml(table.name)} --format csv</code></p>` : '';
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(cellText(v))}</td>`).join('')}</tr>`).join('\n');
  return `<details><summary>${escapeHtml(table.name)} (${table.rows.length} rows)</summary><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${more}</details>`;
}

const keyValues = (entries: [string, Cell][]) =>
  `<table class="kv">${entries.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(cellText(v))}</td></tr>`).join('')}</table>`;

function reportHtml(report: Report): string {
  return `<section><h3 id="table-${report.report}">${escapeHtml(report.report)}</h3>${keyValues(Object.entries(report.summary))}${report.tables.map(tableHtml).join('\n')}</section>`;
}

function manifestHtml(source: RunSource): string {
  const m = source.manifest;
  const config = trainConfig(m);
  const opt = config?.optimizer;
  return keyValues([
    ['run', path.resolve(source.run)],
    ['model', `${m.model.name} (${m.model.parameters} parameters)`],
    ['dataset', `${m.dataset.name}: ${m.dataset.train_count} training, ${m.dataset.val_count} validation images`],
    ['optimizer', opt ? `${opt.name}, lr ${opt.lr}${opt.name === 'sgd' ? `, momentum ${opt.momentum}` : ''}` : null],
    ['batch size', config?.batch_size ?? null],
    ['iterations', m.training.iterations],
    ['rows', rowsDescription(m) ?? 'one per iteration'],
    ['training time (s)', m.training.seconds ?? null],
    ['trained on', describeBackend(m.backend)],
    ['LCA computed on', `${source.computeBackend} (${source.method}, rows ${source.range[0]}:${source.range[1] + 1})`],
    ['created', m.created ?? null],
    ['versions', m.versions ? Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ') : null],
  ]);
}

function vegaRuntime(): string {
  // Package `exports` hide build/*.min.js (and package.json) from resolution: resolve the entry point,
  // walk up to the package folder and read the file by path.
  let dir = path.dirname(createRequire(import.meta.url).resolve('vega'));
  while (!fs.existsSync(path.join(dir, 'build', 'vega.min.js'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new LcaError('vega/build/vega.min.js not found next to the vega package; reinstall with `npm ci`');
    dir = up;
  }
  return fs.readFileSync(path.join(dir, 'build', 'vega.min.js'), 'utf8');
}

// Replaces each static SVG by a live vega view (tooltips); a failure leaves the static SVG and logs.
const LIVE = `
document.querySelectorAll('script[type="application/json"][data-figure]').forEach(function (node) {
  var holder = document.getElementById(node.dataset.figure);
  var spec = JSON.parse(node.textContent);
  var live = document.createElement('div');
  new vega.View(vega.parse(spec), { renderer: 'svg', container: live, hover: true }).runAsync()
    .then(function () { holder.replaceChildren(live); })
    .catch(function (err) { console.warn('figure ' + node.dataset.figure + ' stays static: ' + err); });
});`;

interface Rendered {
  id: string;
  figure: Figure;
  svg: string;
  vega: Record<string, unknown>;
}

/** Figures the run's stored LCA cannot give (`lca compute --store layers|units`), as one visible note; '' when none. */
function skippedFiguresHtml(source: RunSource): string {
  const skipped = FIGURES.filter((f) => source.computed.storeLacks(FIGURE_NEEDS[f], 'figure') !== null);
  if (skipped.length === 0) return '';
  const why = source.computed.storeLacks('full', 'each of these figures')!;
  return `<p class="warning">Not drawn: ${escapeHtml(`${skipped.join(', ')}: ${why}`)}.</p>`;
}

async function renderAll(source: RunSource, reporter: Reporter): Promise<Rendered[]> {
  const out: Rendered[] = [];
  const drawable = (name: FigureName) => source.computed.storeLacks(FIGURE_NEEDS[name], name) === null;
  const add = async (id: string, figure: Figure) => {
    const started = performance.now();
    const vega = await compileSpec(figure.spec);
    out.push({ id, figure, vega, svg: await svgFromVega(vega) });
    reporter.debug(`figure ${id}`, { ms: Math.round(performance.now() - started) });
  };
  if (drawable('heatmap')) {
    const layers = [...new Set(source.manifest.model.variables.map((v) => v.name.includes('/') ? v.name.slice(0, v.name.lastIndexOf('/')) : v.name))];
    for (const layer of layers.slice(0, MAX_HEATMAP_LAYERS)) await add(`heatmap-${layer}`, await buildFigure('heatmap', source, { layer }));
    const [first, last] = source.range;
    // With --every k a row is a block: the frame is the block holding iteration FRAME.
    const every = source.computed.every;
    const frame = Math.min(Math.max(first, FRAME - (FRAME % every)), last - (last % every));
    const single = await RunSource.open(source.run, { method: source.method, iterations: [frame, Math.min(frame + every - 1, last)] });
    await add(`heatmap-${layers[0]}-at-${frame}`, await buildFigure('heatmap', single, { layer: layers[0] }));
  }
  for (const name of FIGURES.filter((f) => f !== 'heatmap' && drawable(f) && (source.val || !NEEDS_VAL.includes(f)))) await add(name, await buildFigure(name, source));
  return out;
}

const STYLE = `
body { font-family: 'DejaVu Sans', system-ui, sans-serif; margin: 2em auto; max-width: 1500px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; } h3 { margin-bottom: .3em; }
figure { margin: 1.5em 0; overflow-x: auto; } figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 13px; margin: .4em 0; } td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: right; }
th { background: #f4f4f4; } table.kv th { text-align: left; } table.kv td { text-align: left; }
details { margin: .3em 0; } summary { cursor: pointer; } .note { color: #666; font-size: 12px; }
nav a { margin-right: 1em; }
.warning { background: #fde0dc; border: 2px solid #b2182b; color: #67001f; padding: 0.6em 1em; }`;

export async function writeHtmlReport(options: HtmlReportOptions): Promise<{ bytes: number }> {
  const runtime = vegaRuntime();
  const source = await RunSource.open(options.run, { method: options.method, iterations: options.iterations });
  for (const warning of source.warnings) options.reporter.warn(warning);
  const banner = source.warnings.map((w) => `<p class="warning"><strong>WARNING:</strong> ${escapeHtml(w)}</p>`).join('\n');
  const flagged = source.warnings.length ? ' (POORLY GROUNDED)' : '';
  const figures = await renderAll(source, options.reporter);
  const reports = [];
  const extra: ReportName[] = [...(canFreeze(source.manifest) ? ['freeze' as const] : []), ...(source.val ? ['overfitting' as const] : [])];
  const hasWeights = fs.existsSync(path.join(options.run, source.manifest.files.weights));
  const noteHtml = (name: ReportName, note: string) => `<section><h3 id="table-${name}">${name}</h3><p class="note">${escapeHtml(note)}</p></section>`;
  for (const name of [...TABLE_REPORTS, ...extra]) {
    const lacks = reportLacks(source.computed, name);
    if (lacks) reports.push(noteHtml(name, `not shown: ${lacks}`));
    else if (!hasWeights && NEEDS_WEIGHTS.includes(name)) reports.push(noteHtml(name, `needs the run's ${source.manifest.files.weights}, which is missing`));
    else reports.push(reportHtml(await source.report(name)));
  }
  const runName = path.basename(path.resolve(options.run));
  const figureHtml = figures.map((f, k) => [
    `<figure><div id="fig-${k}">${f.svg}</div></figure>`,
    f.figure.raster ? '' : `<script type="application/json" data-figure="fig-${k}">${scriptSafe(JSON.stringify(f.vega))}</script>`,
  ].join('\n')).join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>LCA report — ${escapeHtml(runName)}${flagged}</title><style>${STYLE}</style></head>
<body>
<h1>Loss Change Allocation — run ${escapeHtml(runName)}${flagged}</h1>
${banner}
<p class="note">${escapeHtml(source.provenance())}. Negative LCA: the parameter helped (lowered the full-training-set loss); positive: it hurt. Made by <code>lca report</code>; works offline.</p>
<nav><a href="#run">Run</a><a href="#figures">Figures</a><a href="#tables">Tables</a></nav>
<h2 id="run">Run</h2>
${manifestHtml(source)}
<h2 id="figures">Figures</h2>
${skippedFiguresHtml(source)}
${figureHtml}
<h2 id="tables">Analysis tables</h2>
<p class="note">The numbers of <code>lca analyze --report NAME --format json</code>; column meanings in docs/formats.md and docs/analysis.md.</p>
${reports.join('\n')}
<script>${scriptSafe(runtime)}</script>
<script>${LIVE}</script>
</body></html>
`;
  fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  fs.writeFileSync(options.out, html);
  return { bytes: Buffer.byteLength(html) };
}
