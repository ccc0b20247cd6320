// `lca plot`: one figure of one run, or Fig. 4 across runs, written as SVG or PNG (chosen by the file's extension).
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Method } from '../lca/integrate.js';
import type { Figure } from '../plot/figure.js';
import { buildFigure } from '../plot/figures.js';
import { layersRunsFigure } from '../plot/layers-runs.js';
import { FIGURE_NEEDS, type FigureName } from '../plot/names.js';
import { pngFromSvg, svgFromSpec } from '../plot/render.js';
import { runAcrossRuns } from './analyze-across.js';
import type { Reporter } from './reporter.js';
import { RunSource } from './run-source.js';

export interface PlotOptions {
  /** One run, or several for Fig. 4 across runs (mean ± std). */
  runs: string[];
  /** A second group of runs, drawn beside the first with Welch's p-value per layer. */
  vs?: string[];
  figure: FigureName;
  out: string;
  method?: Method;
  /** Rows first … last: the range every figure covers; a heatmap sums them (one row = one iteration). */
  iterations?: [number, number];
  layer?: string;
  clip?: number;
  /** heatmap: rows first … last as an animation (.gif or .mp4), one frame per iteration. */
  animate?: [number, number];
  /** Frames per second of the animation. */
  fps?: number;
  reporter: Reporter;
}

export const IMAGE_FORMATS = ['.png', '.svg'] as const;

export function imageFormat(out: string): (typeof IMAGE_FORMATS)[number] {
  const ext = path.extname(out).toLowerCase();
  const format = IMAGE_FORMATS.find((f) => f === ext);
  if (!format) throw new UsageError(`--out ${out}: the file must end in .png or .svg (.gif or .mp4 with --animate)`);
  return format;
}

/** Several runs (or --vs) make statistics across runs, which exist for Fig. 4 only. */
async function figureOf(options: PlotOptions): Promise<Figure> {
  const { runs, vs = [], method, iterations } = options;
  if (runs.length === 1 && vs.length === 0) {
    const source = await RunSource.open(runs[0], { method, iterations });
    source.computed.requireStore(FIGURE_NEEDS[options.figure], `plot --figure ${options.figure}`);
    for (const warning of source.warnings) options.reporter.warn(warning);
    return buildFigure(options.figure, source, { layer: options.layer, clip: options.clip });
  }
  if (options.figure !== 'layers') throw new UsageError(`--figure ${options.figure}: several --run (or --vs) draw --figure layers only (mean ± std across runs)`);
  const report = await runAcrossRuns({ report: 'layers', runs, vs, method, iterations });
  for (const warning of report.warnings ?? []) options.reporter.warn(warning);
  return layersRunsFigure(report);
}

async function runAnimation(options: PlotOptions & { animate: [number, number] }): Promise<void> {
  const { animateHeatmap, animationFormat } = await import('../plot/animate.js');
  animationFormat(options.out);
  if (options.figure !== 'heatmap' || options.runs.length !== 1 || (options.vs ?? []).length > 0) throw new UsageError('--animate: --figure heatmap of one --run only');
  const started = performance.now();
  const source = await RunSource.open(options.runs[0], { method: options.method, iterations: options.animate });
  source.computed.requireStore('full', 'plot --animate');
  for (const warning of source.warnings) options.reporter.warn(warning);
  const a = await animateHeatmap(source, { layer: options.layer, clip: options.clip ?? 99, fps: options.fps ?? 10, out: options.out });
  options.reporter.info(`wrote ${options.out}`, { frames: a.frames, width: a.width, height: a.height, clip: a.clip, bytes: a.bytes, ms: Math.round(performance.now() - started) });
}

export async function runPlot(options: PlotOptions): Promise<void> {
  if (options.animate) return runAnimation({ ...options, animate: options.animate });
  const format = imageFormat(options.out);
  const started = performance.now();
  const figure = await figureOf(options);
  const svg = await svgFromSpec(figure.spec);
  const bytes = format === '.svg' ? Buffer.from(svg) : await pngFromSvg(svg);
  fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  fs.writeFileSync(options.out, bytes);
  options.reporter.info(`wrote ${options.out}`, { figure: options.figure, bytes: bytes.length, ms: Math.round(performance.now() - started) });
}
