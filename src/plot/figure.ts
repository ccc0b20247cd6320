// What every figure builder returns, and the title every figure carries: what it shows, then
// which run, model, data (full, subset or synthetic), backends and rows the numbers come from.
import type { Cell } from '../report/format.js';
import type { VlSpec } from './render.js';
import type { FigureSource } from './source.js';

export interface Figure {
  /** The figure's name as `lca plot --figure` takes it. */
  name: string;
  spec: VlSpec;
  /** Heatmaps: a raster image inside the spec, not worth re-rendering interactively in the HTML report. */
  raster?: boolean;
}

export interface FigureOptions {
  /** heatmap: a variable or layer name; default the first layer. */
  layer?: string;
  /** heatmap: colour scale clipped at this percentile of |LCA| (non-zero values). */
  clip?: number;
}

const LINE = 110; // characters per subtitle line: longer lines widen the whole image

/** Breaks a subtitle at its `; ` and ` · ` separators into lines of at most LINE characters. */
export function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const piece of text.split(/(?<=; | · )/)) {
    if (line && (line + piece).length > LINE) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += piece;
  }
  if (line) lines.push(line.trimEnd());
  return lines;
}

/** Pixels between the subtitle's last line and the chart: vega's default 4 let descenders touch a top axis (Fig. 3c). */
export const TITLE_OFFSET = 12;

/** A subtitle of `lines`, led by the caveats (poor grounding) in red where there are any. */
export function subtitle(warnings: readonly string[], lines: string[]): VlSpec {
  return {
    subtitle: [...warnings.map((w) => `WARNING: ${w}`), ...lines].flatMap(wrap), ...(warnings.length ? { subtitleColor: '#b2182b' } : {}),
  };
}

export function title(text: string, source: FigureSource, extra?: string): VlSpec {
  return { text, offset: TITLE_OFFSET, ...subtitle(source.warnings, [source.provenance(), ...(extra ? [extra] : [])]) };
}

/** Numbers in subtitles: 4 significant digits, exponent form when tiny or huge. */
export const num = (v: Cell): string => {
  if (typeof v !== 'number') return String(v ?? '–');
  if (v === 0 || !Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(2);
};
