// Fig. 2: one layer's per-parameter LCA at an iteration (or summed over a range) as raster heatmaps,
// green = helped, red = hurt, white = zero, on a symmetric scale clipped at a percentile of |LCA|.
// vega draws only the axes, titles and legend; the pixels are a PNG made here straight from the data.
import { divergingScale } from './colors.js';
import { title, num, type Figure, type FigureOptions } from './figure.js';
import { encodePng } from './png.js';
import { clipMagnitude, layoutGrid, paintGrid, type Grid } from './raster.js';
import type { VlSpec } from './render.js';
import type { FigureSource } from './source.js';

const MAX_WIDTH = 900; // display pixels of the widest panel
const MIN_HEIGHT = 160; // a 100×784 dense kernel at 1 px per cell would be a sliver
const STRIP_HEIGHT = 24;
const MAX_RASTER = 4096; // raster pixels per side; beyond, the viewer scales

/** Display size of one cell: square where the panel allows, stretched up to a readable height. */
export function cellSize(grid: Grid): [number, number] {
  const w = Math.max(1, Math.floor(MAX_WIDTH / grid.cols));
  if (grid.kind === 'strip') return [w, STRIP_HEIGHT];
  let h = grid.rows * w < MIN_HEIGHT ? Math.ceil(MIN_HEIGHT / grid.rows) : w;
  if (grid.rows * h > MAX_WIDTH) h = Math.max(1, Math.floor(MAX_WIDTH / grid.rows));
  return [w, h];
}

/** Ticks every image row when a dense layer reads the flattened image: the paper's 28-pixel period. */
function xTicks(grid: Grid, imageShape: number[] | undefined): number[] | undefined {
  const [height, width, channels] = imageShape ?? [];
  if (grid.kind !== 'dense' || !width || grid.xUnits !== height * width * (channels ?? 1)) return undefined;
  const step = width * (channels ?? 1);
  return Array.from({ length: Math.floor(grid.xUnits / step) + 1 }, (_, k) => k * step);
}

function panel(name: string, grid: Grid, m: number, imageShape: number[] | undefined): VlSpec {
  const [cw, ch] = cellSize(grid);
  const width = Math.min(grid.cols * cw, MAX_WIDTH * 1.4);
  const height = grid.rows * ch;
  // Paint at twice the display size (PNGs are rendered at zoom 2), so resvg's smoothing never blurs cells.
  const scale = Math.max(1, Math.min(2, Math.floor(MAX_RASTER / Math.max(grid.cols * cw, grid.rows * ch))));
  const { rgba, width: pw, height: ph } = paintGrid(grid, m, cw * scale, ch * scale);
  const url = `data:image/png;base64,${encodePng(rgba, pw, ph).toString('base64')}`;
  const ticks = xTicks(grid, imageShape);
  const strip = grid.kind === 'strip';
  return {
    width,
    height,
    title: { text: `${name}  [${grid.kind === 'dense' ? `${grid.yUnits} out × ${grid.xUnits} in` : grid.kind === 'conv' ? `${grid.yUnits} out × ${grid.xUnits} in channels of kh×kw blocks` : `${grid.xUnits}`}]`, fontSize: 12, anchor: 'start' },
    layer: [
      {
        data: { values: [{ url, x: 0, y: 0 }] },
        mark: { type: 'image', width, height, align: 'left', baseline: 'top', aspect: false },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { domain: [0, grid.xUnits], nice: false, zero: false }, axis: { title: ticks ? `${grid.xTitle} (ticks every image row of ${ticks[1]} pixels)` : grid.xTitle, grid: false, format: 'd', tickMinStep: 1, ...(ticks ? { values: ticks } : {}) } },
          y: { field: 'y', type: 'quantitative', scale: { domain: [0, grid.yUnits], nice: false, zero: false, reverse: true }, axis: strip ? null : { title: grid.yTitle, grid: false } },
          url: { field: 'url', type: 'nominal' },
        },
      },
      {
        // Invisible marks that carry the colour scale, so vega draws the legend.
        data: { values: [{ v: -m }, { v: m }] },
        mark: { type: 'point', opacity: 0 },
        encoding: { color: { field: 'v', type: 'quantitative', scale: divergingScale(m), legend: { title: 'LCA (nats)', format: '.1e', gradientLength: 140 } } },
      },
    ],
  };
}

export async function heatmapFigure(source: FigureSource, options: FigureOptions): Promise<Figure> {
  const variables = source.variablesOf(options.layer);
  const rows = source.range; // one row (--iteration t) or the rows summed (--iterations a:b, default all)
  const sums = await source.parameterSums(variables, rows);
  const clip = options.clip ?? 99;
  const m = clipMagnitude(sums, clip);
  const panels = variables.map((v, k) => panel(v.name, layoutGrid(sums[k], v.shape), m, source.manifest.dataset.image_shape));
  const when = rows[0] === rows[1] ? `at iteration ${rows[0]}` : `summed over iterations ${rows[0]}:${rows[1] + 1}`;
  const spec: VlSpec = {
    title: title(`Fig. 2 — per-parameter LCA of ${options.layer ?? variables[0].name.split('/')[0]} ${when}`, source,
      `green = helped (LCA < 0), red = hurt (LCA > 0), white = zero; colour clipped at ±${num(m)} nats, the ${clip}th percentile of |LCA| ≠ 0`),
    vconcat: panels,
    resolve: { scale: { color: 'shared' } },
    spacing: 18,
  };
  return { name: 'heatmap', spec, raster: true };
}
