// `lca plot --figure heatmap --animate a:b`: a layer's per-iteration LCA, one frame per iteration, on
// one symmetric colour scale for the whole range (clipped at the percentile of |LCA| ≠ 0 over every
// frame, so colours compare across frames), as an animated GIF of our own or an MP4 through ffmpeg.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { divergingPalette } from './colors.js';
import { pipeToFfmpeg } from './ffmpeg.js';
import { frameLayout, paintFrame } from './frames.js';
import { GIF_TRAILER, gifFrame, gifHeader } from './gif.js';
import { clipMagnitude } from './raster.js';
import type { FigureSource } from './source.js';

export const ANIMATION_FORMATS = ['.gif', '.mp4'] as const;
export type AnimationFormat = (typeof ANIMATION_FORMATS)[number];

const MAX_VALUES = 250_000_000; // frames × parameters held at once (1 GB of float32): beyond, ask for a shorter range

export interface AnimateOptions {
  layer?: string;
  clip: number;
  fps: number;
  out: string;
}

export interface Animation {
  frames: number;
  width: number;
  height: number;
  /** The colour scale's end, ±clip nats. */
  clip: number;
  bytes: number;
}

export function animationFormat(out: string): AnimationFormat {
  const ext = path.extname(out).toLowerCase();
  const format = ANIMATION_FORMATS.find((f) => f === ext);
  if (!format) throw new UsageError(`--out ${out}: with --animate the file must end in .gif or .mp4`);
  return format;
}

/** Every row of the source's range for the variables: [rows × size] per variable, and the iterations. */
async function readRows(source: FigureSource, variables: ReturnType<FigureSource['variablesOf']>) {
  const [first, last] = source.range;
  const capacity = last - first + 1;
  const parameters = variables.reduce((n, v) => n + v.size, 0);
  if (capacity * parameters > MAX_VALUES) {
    throw new UsageError(`--animate: ${capacity} frames × ${parameters} parameters is too many to hold; animate a shorter range or one variable (--layer ${variables[0].name})`);
  }
  const rows = variables.map((v) => new Float32Array(capacity * v.size));
  const iterations: number[] = [];
  for await (const { iteration, values } of source.parameterRows(variables, source.range)) {
    values.forEach((row, k) => rows[k].set(row, iterations.length * variables[k].size));
    iterations.push(iteration);
  }
  return { rows: rows.map((r, k) => r.subarray(0, iterations.length * variables[k].size)), iterations };
}

export async function animateHeatmap(source: FigureSource, options: AnimateOptions): Promise<Animation> {
  const format = animationFormat(options.out);
  const variables = source.variablesOf(options.layer);
  const { rows, iterations } = await readRows(source, variables);
  if (iterations.length === 0) throw new UsageError(`--animate ${source.range[0]}:${source.range[1] + 1}: no computed rows in ${source.run}`);
  const m = clipMagnitude(rows, options.clip);
  const layout = frameLayout(variables.map((v) => v.shape));
  const pixels = new Uint8Array(layout.width * layout.height);
  const n = iterations.length;
  const frame = (k: number) => {
    paintFrame(layout, variables.map((v, j) => rows[j].subarray(k * v.size, (k + 1) * v.size)), m, (k + 1) / n, pixels);
    return pixels;
  };
  fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  const bytes = format === '.gif'
    ? writeGif(options.out, layout.width, layout.height, n, frame, options.fps)
    : await pipeToFfmpeg(options.out, layout.width, layout.height, n, frame, divergingPalette(), options.fps);
  return { frames: n, width: layout.width, height: layout.height, clip: m, bytes };
}

/** Streams the frames into a GIF file; the delay is whole centiseconds, at least 2 (browsers slow smaller ones to 10). */
function writeGif(out: string, width: number, height: number, frames: number, frame: (k: number) => Uint8Array, fps: number): number {
  const delay = Math.max(2, Math.round(100 / fps));
  const fd = fs.openSync(out, 'w');
  let bytes = 0;
  const write = (b: Buffer) => (bytes += fs.writeSync(fd, b));
  try {
    write(gifHeader(width, height, divergingPalette()));
    for (let k = 0; k < frames; k++) write(gifFrame(frame(k), width, height, delay));
    write(GIF_TRAILER);
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}
