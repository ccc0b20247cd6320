// Lays one variable's per-parameter values out as a 2-D grid the way the paper's Fig. 2 does, and
// paints it as RGBA pixels with the diverging LCA colours. Pure: no files, no vega.
import { divergingColor } from './colors.js';

export type GridKind = 'dense' | 'conv' | 'strip' | 'square';

export interface Grid {
  kind: GridKind;
  rows: number;
  cols: number;
  /** [rows × cols], row-major; NaN marks the gaps between conv blocks. */
  values: Float64Array;
  /** Axis titles and the number of data units along each axis (channels for conv, units otherwise). */
  xTitle: string;
  yTitle: string;
  xUnits: number;
  yUnits: number;
}

/**
 * Dense kernels (stored (in, out), C order) are drawn out × in, as in Fig. 2 ("100×784"): one row per
 * output unit, so an image input's pixel rows repeat along x. Conv kernels (kh, kw, in, out) become a
 * grid of kh×kw blocks, input channels as columns and output channels as rows, each block followed by
 * one gap pixel (so block c spans [c, c + 1) in channel units on the axis). 1-D variables (biases, batch norm) are a one-row strip; anything else a near-square grid.
 */
export function layoutGrid(values: ArrayLike<number>, shape: readonly number[]): Grid {
  if (shape.length === 2) {
    const [inputs, outputs] = shape;
    const grid = new Float64Array(inputs * outputs);
    for (let i = 0; i < inputs; i++) for (let o = 0; o < outputs; o++) grid[o * inputs + i] = values[i * outputs + o];
    return { kind: 'dense', rows: outputs, cols: inputs, values: grid, xTitle: 'input unit', yTitle: 'output unit', xUnits: inputs, yUnits: outputs };
  }
  if (shape.length === 4) {
    const [kh, kw, inputs, outputs] = shape;
    const rows = outputs * (kh + 1);
    const cols = inputs * (kw + 1);
    const grid = new Float64Array(rows * cols).fill(NaN);
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        for (let c = 0; c < inputs; c++) {
          for (let o = 0; o < outputs; o++) {
            grid[(o * (kh + 1) + y) * cols + c * (kw + 1) + x] = values[((y * kw + x) * inputs + c) * outputs + o];
          }
        }
      }
    }
    return { kind: 'conv', rows, cols, values: grid, xTitle: 'input channel', yTitle: 'output channel', xUnits: inputs, yUnits: outputs };
  }
  const size = values.length;
  if (shape.length <= 1) {
    return { kind: 'strip', rows: 1, cols: size, values: Float64Array.from(values), xTitle: 'parameter', yTitle: '', xUnits: size, yUnits: 1 };
  }
  const cols = Math.ceil(Math.sqrt(size));
  const rows = Math.ceil(size / cols);
  const grid = new Float64Array(rows * cols).fill(NaN);
  grid.set(Float64Array.from(values));
  return { kind: 'square', rows, cols, values: grid, xTitle: 'parameter (flattened, C order)', yTitle: 'row', xUnits: cols, yUnits: rows };
}

/** Paints a grid as RGBA, each cell cellW × cellH pixels, on the symmetric scale [−m, m]. */
export function paintGrid(grid: Grid, m: number, cellW: number, cellH: number): { rgba: Uint8Array; width: number; height: number } {
  const width = grid.cols * cellW;
  const height = grid.rows * cellH;
  const rgba = new Uint8Array(width * height * 4);
  const line = new Uint8Array(width * 4);
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      const [R, G, B] = divergingColor(grid.values[r * grid.cols + c], m);
      for (let dx = 0; dx < cellW; dx++) line.set([R, G, B, 255], (c * cellW + dx) * 4);
    }
    for (let dy = 0; dy < cellH; dy++) rgba.set(line, (r * cellH + dy) * width * 4);
  }
  return { rgba, width, height };
}

/**
 * The clip for the colour scale: the p-th percentile of |v| over the non-zero values (exact zeros,
 * e.g. weights on dead pixels, would otherwise pull it down), or the largest |v| when p ≥ 100.
 * Selection, not a sort: an animation's range holds tens of millions of values.
 */
export function clipMagnitude(values: Iterable<ArrayLike<number>>, percentile: number): number {
  const arrays = [...values];
  let count = 0;
  for (const array of arrays) for (let i = 0; i < array.length; i++) if (array[i] !== 0 && !Number.isNaN(array[i])) count++;
  if (count === 0) return 1;
  const magnitudes = new Float64Array(count);
  let n = 0;
  for (const array of arrays) for (let i = 0; i < array.length; i++) if (array[i] !== 0 && !Number.isNaN(array[i])) magnitudes[n++] = Math.abs(array[i]);
  const index = Math.min(count - 1, Math.max(0, Math.ceil((percentile / 100) * count) - 1));
  return select(magnitudes, index);
}

/** The k-th smallest value (0-based) of a, reordering a in place (Hoare's quickselect, middle pivot). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
