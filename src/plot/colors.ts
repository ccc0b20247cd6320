// The diverging LCA colour map shared by the raster heatmaps and vega's legends: green = helped
// (negative), white = zero, red = hurt (positive), linear in RGB so that zero is exactly white.

export const HELPED_COLOR = '#1a9850';
export const HURT_COLOR = '#d73027';
export const ZERO_COLOR = '#ffffff';
/** Between blocks of a conv grid, so that kernels are told apart from zero LCA (white). */
export const GAP_COLOR: [number, number, number] = [189, 189, 189];

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)) as [number, number, number];
const GREEN = rgb(HELPED_COLOR);
const RED = rgb(HURT_COLOR);

/**
 * The colour of value v on the symmetric scale [−m, m] (clipped), as vega's `interpolate: 'rgb'`
 * over domain [−m, 0, m] and range [green, white, red] computes it, so raster and legend agree.
 */
export function divergingColor(v: number, m: number): [number, number, number] {
  if (Number.isNaN(v)) return GAP_COLOR;
  const t = Math.max(-1, Math.min(1, m > 0 ? v / m : 0));
  const end = t < 0 ? GREEN : RED;
  const a = Math.abs(t);
  return [0, 1, 2].map((k) => Math.round(255 + (end[k] - 255) * a)) as [number, number, number];
}

/** The vega-lite colour scale that matches divergingColor. */
export const divergingScale = (m: number) => ({
  domain: [-m, 0, m],
  range: [HELPED_COLOR, ZERO_COLOR, HURT_COLOR],
  interpolate: 'rgb',
});

/** Palette steps of the diverging scale in animations: odd, so that the middle step is exactly white. */
export const RAMP_STEPS = 255;
const HALF = (RAMP_STEPS - 1) / 2;
/** The palette index of the gap colour, after the ramp. */
export const GAP_INDEX = RAMP_STEPS;

/** A 256-colour palette ([256 × 3] RGB): the ramp from −m (green) through 0 (white) to m (red), then grey. */
export function divergingPalette(): Uint8Array {
  const palette = new Uint8Array(256 * 3);
  for (let k = 0; k < RAMP_STEPS; k++) palette.set(divergingColor((k - HALF) / HALF, 1), 3 * k);
  palette.set(GAP_COLOR, 3 * GAP_INDEX);
  return palette;
}

/** The palette index of value v on the symmetric scale [−m, m] (clipped); NaN → the gap grey. */
export function paletteIndex(v: number, m: number): number {
  if (Number.isNaN(v)) return GAP_INDEX;
  const t = Math.max(-1, Math.min(1, m > 0 ? v / m : 0));
  return Math.round(t * HALF) + HALF;
}
