// The error vocabulary of lca: the core throws these, and only the CLI entry turns them into
// a one-line message and an exit code (2 for usage, 1 for everything else).

/** Wrong flags, option values or config keys: the user must change the command. Exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A file or directory that is missing, unreadable or malformed. The message names it. Exit 1. */
export class InputError extends Error {
  override name = 'InputError';
}

/** A run directory or output that exists and would be overwritten. Exit 1. */
export class ExistsError extends Error {
  override name = 'ExistsError';
}

/** Anything else the user can act on (e.g. a backend that cannot load). Exit 1. */
export class LcaError extends Error {
  override name = 'LcaError';
}
