// `lca plot`: one figure of one run, written as SVG or PNG (chosen by the file's extension).
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Method } from '../lca/integrate.js';
import type { Reporter } from '../jobs/reporter.js';
import { buildFigure } from './figures.js';
import type { FigureName } from './names.js';
import { pngFromSvg, svgFromSpec } from './render.js';
import { RunSource } from './source.js';

export interface PlotOptions {
  run: string;
  figure: FigureName;
  out: string;
  method?: Method;
  /** Rows first … last: the range every figure covers; a heatmap sums them (one row = one iteration). */
  iterations?: [number, number];
  layer?: string;
  clip?: number;
  reporter: Reporter;
}

export const IMAGE_FORMATS = ['.png', '.svg'] as const;

export function imageFormat(out: string): (typeof IMAGE_FORMATS)[number] {
  const ext = path.extname(out).toLowerCase();
  const format = IMAGE_FORMATS.find((f) => f === ext);
  if (!format) throw new UsageError(`--out ${out}: the file must end in .png or .svg`);
  return format;
}

export async function runPlot(options: PlotOptions): Promise<void> {
  const format = imageFormat(options.out);
  const started = performance.now();
  const source = await RunSource.open(options.run, { method: options.method, iterations: options.iterations });
  const figure = await buildFigure(options.figure, source, { layer: options.layer, clip: options.clip });
  const svg = await svgFromSpec(figure.spec);
  const bytes = format === '.svg' ? Buffer.from(svg) : await pngFromSvg(svg);
  fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  fs.writeFileSync(options.out, bytes);
  options.reporter.info(`wrote ${options.out}`, { figure: options.figure, bytes: bytes.length, ms: Math.round(performance.now() - started) });
}
