// Parsers for option values; a bad value is a commander InvalidArgumentError, hence exit 2.
import { InvalidArgumentError } from 'commander';

export function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('not a number.');
  return n;
}

export function parsePositiveNumber(value: string): number {
  const n = parseNumber(value);
  if (n <= 0) throw new InvalidArgumentError('must be greater than 0.');
  return n;
}

/** Adaptive Simpson doubles its intervals from 2 (src/lca/simpson.ts), so only 2, 4, 8, … can be a cap it reaches exactly. */
export function parseSplitCap(value: string): number {
  const n = parsePositiveInteger(value);
  if (n < 2 || (n & (n - 1)) !== 0) throw new InvalidArgumentError('must be a power of two ≥ 2 (splits double: 2, 4, 8, 16, 32, …).');
  return n;
}

export function parseNonNegative(value: string): number {
  const n = parseNumber(value);
  if (n < 0) throw new InvalidArgumentError('must be ≥ 0.');
  return n;
}

export function parseInteger(value: string): number {
  const n = parseNumber(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('not a non-negative integer.');
  return n;
}

export function parsePositiveInteger(value: string): number {
  const n = parseInteger(value);
  if (n < 1) throw new InvalidArgumentError('must be at least 1.');
  return n;
}

/**
 * `a:b` → rows a … b−1 of the T×K matrix, Python-slice style; `a:` runs to the end and `:b` from 0.
 * Returns [first, last] inclusive, with last = undefined for "to the end".
 */
export function parseIterationRange(value: string): [number, number | undefined] {
  const m = /^(\d*):(\d*)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a:b, a: or :b with integers, e.g. 0:100.');
  const first = m[1] === '' ? 0 : Number(m[1]);
  if (m[2] === '') return [first, undefined];
  const end = Number(m[2]);
  if (end <= first) throw new InvalidArgumentError(`the end (${end}) must be greater than the start (${first}).`);
  return [first, end - 1];
}

/** Repeatable options (`--run A --run B`) collect into an array, in the order given. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
