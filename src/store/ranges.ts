// Row ranges of the T×K matrix as parts cover them: inclusive [first, last] pairs, the gaps between
// parts, and the `0-9, 12, 14-19` form in which part names, messages and `lca status` show them.

export type Range = [number, number];

/** `0-9, 12, 14-19`: inclusive ranges as people read them in part names and messages. */
export const formatRanges = (ranges: readonly (readonly [number, number])[]): string =>
  ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ');

/** The sub-ranges of [first, last] that none of `covered` (sorted by first) covers. */
export function missingRanges(covered: readonly { first: number; last: number }[], first: number, last: number): Range[] {
  const missing: Range[] = [];
  let next = first;
  for (const part of covered) {
    if (part.last < next || part.first > last) continue;
    if (part.first > next) missing.push([next, part.first - 1]);
    next = Math.max(next, part.last + 1);
  }
  if (next <= last) missing.push([next, last]);
  return missing;
}

/** Ranges 0-1 and 2-3 read as one range 0-3. */
export function mergeAdjacent(ranges: readonly Range[]): Range[] {
  const merged: Range[] = [];
  for (const [a, b] of ranges) {
    const previous = merged[merged.length - 1];
    if (previous && previous[1] + 1 === a) previous[1] = b;
    else merged.push([a, b]);
  }
  return merged;
}
