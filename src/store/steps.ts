// What one row of a run stands for. A run lca trained has a row per iteration; an imported run
// whose checkpoints were kept every k steps has a row per k steps, and LCA then allocates the loss
// change along straight segments between checkpoints, not the path training took. Every report
// and figure says so, through `rowsDescription`.
import type { Manifest } from './manifest.js';

/** Training steps per row: [min, max] over the rows (both 1 for runs lca trained). */
export function stepsPerRow(manifest: Manifest): [number, number] {
  const steps = manifest.imported?.steps;
  if (!steps || steps.length < 2) return [1, 1];
  let min = Infinity;
  let max = 0;
  for (let i = 1; i < steps.length; i++) {
    min = Math.min(min, steps[i] - steps[i - 1]);
    max = Math.max(max, steps[i] - steps[i - 1]);
  }
  return [min, max];
}

/** `null` for one step per row; else e.g. `10 steps per row` or `1–10 steps per row`. */
export function rowsDescription(manifest: Manifest): string | null {
  const [min, max] = stepsPerRow(manifest);
  if (max === 1) return null;
  return min === max ? `${min} steps per row` : `${min}–${max} steps per row`;
}

/** The context entry every report adds for such runs: `{ rows: '10 steps per row' }`, or nothing. */
export const rowsContext = (manifest: Manifest): { rows?: string } => {
  const rows = rowsDescription(manifest);
  return rows === null ? {} : { rows };
};
