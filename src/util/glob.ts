// Layer and variable name globs (`analyze --layers`, the config's `freeze` and `groups`): `*` any run
// of characters (slashes included, so `fc_1*` takes `fc_1/kernel` and `fc_1/bias`), `?` one
// character, `,` separates alternatives.
import { UsageError } from '../errors.js';

const escape = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** Compiles a glob to an anchored RegExp; an empty alternative is a usage error naming `where`. */
export function compileGlob(pattern: string, where = '--layers'): RegExp {
  const alternatives = pattern.split(',').map((a) => a.trim());
  if (alternatives.some((a) => a === '')) throw new UsageError(`${where} ${JSON.stringify(pattern)}: empty pattern`);
  const body = alternatives.map((a) => a.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escape(c))).join(''));
  return new RegExp(`^(?:${body.join('|')})$`);
}

export const matchGlob = (pattern: string, name: string): boolean => compileGlob(pattern).test(name);
