// Animation frames of a layer's per-parameter LCA: each variable laid out as in Fig. 2 (layoutGrid,
// the heatmap's cell sizes), panels stacked top to bottom, a progress bar under them; pixels are
// palette indices of the diverging ramp (colors.ts). Pure: no files, no vega.
import { GAP_INDEX, paletteIndex } from './colors.js';
import { cellSize } from './heatmap.js';
import { layoutGrid } from './raster.js';

const PANEL_GAP = 8; // white pixels between a layer's variables
const BAR_GAP = 4;
const BAR_HEIGHT = 6; // progress through the range, grey on white
const WHITE = paletteIndex(0, 1);

interface Panel {
  /** [rows × cols]: the parameter index drawn in each cell, −1 for a gap between conv blocks. */
  cells: Int32Array;
  rows: number;
  cols: number;
  cellW: number;
  cellH: number;
  top: number;
}

export interface FrameLayout {
  width: number;
  height: number;
  panels: Panel[];
}

/** Where each variable's parameters go in a frame; shapes as in the manifest. */
export function frameLayout(shapes: readonly (readonly number[])[]): FrameLayout {
  let top = 0;
  const panels = shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const grid = layoutGrid(Float64Array.from({ length: size }, (_, i) => i), shape);
    const [cellW, cellH] = cellSize(grid);
    const cells = Int32Array.from(grid.values, (v) => (Number.isNaN(v) ? -1 : v));
    const panel = { cells, rows: grid.rows, cols: grid.cols, cellW, cellH, top };
    top += grid.rows * cellH + PANEL_GAP;
    return panel;
  });
  const width = Math.max(...panels.map((p) => p.cols * p.cellW));
  return { width, height: top - PANEL_GAP + BAR_GAP + BAR_HEIGHT, panels };
}

/**
 * Paints one frame into out ([height × width] palette indices): values[k] is variable k's LCA at this
 * iteration, on the symmetric scale [−m, m]; progress in [0, 1] fills the bar from the left.
 */
export function paintFrame(layout: FrameLayout, values: readonly ArrayLike<number>[], m: number, progress: number, out: Uint8Array): void {
  const { width, height } = layout;
  out.fill(WHITE);
  layout.panels.forEach((p, k) => {
    const v = values[k];
    for (let r = 0; r < p.rows; r++) {
      const y = p.top + r * p.cellH;
      const line = out.subarray(y * width, (y + 1) * width); // the cell row's first pixel row, copied below
      for (let c = 0; c < p.cols; c++) {
        const cell = p.cells[r * p.cols + c];
        line.fill(cell < 0 ? GAP_INDEX : paletteIndex(v[cell], m), c * p.cellW, (c + 1) * p.cellW);
      }
      for (let dy = 1; dy < p.cellH; dy++) out.copyWithin((y + dy) * width, y * width, y * width + p.cols * p.cellW);
    }
  });
  const filled = Math.round(Math.max(0, Math.min(1, progress)) * width);
  for (let y = height - BAR_HEIGHT; y < height; y++) out.fill(GAP_INDEX, y * width, y * width + filled);
}
