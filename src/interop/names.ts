// Matching checkpoint tensor names to a model's initializers. Exact names first; then the documented
// rules (docs/import.md): leading wrapper prefixes are ignored on both sides (`module.` from
// DistributedDataParallel, `_orig_mod.` from torch.compile, `model.` from Lightning-style modules),
// and PyTorch batch-norm counters (`*.num_batches_tracked`, not used by the forward pass) are skipped.

export const WRAPPER_PREFIXES = ['module.', '_orig_mod.', 'model.'] as const;
export const SKIPPED_SUFFIX = '.num_batches_tracked';

export interface NameMatch {
  /** initializer name → checkpoint tensor name. */
  pairs: Map<string, string>;
  /** Initializers the checkpoints do not hold. */
  missing: string[];
  /** Checkpoint tensors that match no initializer. */
  extra: string[];
  /** Checkpoint tensors skipped by rule (batch-norm counters). */
  skipped: string[];
  /** Pairs found by a rule rather than by exact name, for the user to see. */
  byRule: [string, string][];
}

export function stripWrappers(name: string): string {
  for (;;) {
    const prefix = WRAPPER_PREFIXES.find((p) => name.startsWith(p) && name.length > p.length);
    if (!prefix) return name;
    name = name.slice(prefix.length);
  }
}

/** Pairs each expected initializer with a checkpoint name; a stripped name must be unique on both sides to count. */
export function matchNames(expected: readonly string[], available: readonly string[]): NameMatch {
  const pairs = new Map<string, string>();
  const byRule: [string, string][] = [];
  const taken = new Set<string>();
  const availableSet = new Set(available);
  for (const name of expected) {
    if (availableSet.has(name)) {
      pairs.set(name, name);
      taken.add(name);
    }
  }
  const unique = (names: readonly string[]) => {
    const map = new Map<string, string | null>();
    for (const n of names) {
      const key = stripWrappers(n);
      map.set(key, map.has(key) ? null : n);
    }
    return map;
  };
  const left = unique(expected.filter((n) => !pairs.has(n)));
  const right = unique(available.filter((n) => !taken.has(n)));
  for (const [key, name] of left) {
    const match = right.get(key);
    if (name !== null && match) {
      pairs.set(name, match);
      taken.add(match);
      byRule.push([name, match]);
    }
  }
  const skipped = available.filter((n) => !taken.has(n) && n.endsWith(SKIPPED_SUFFIX));
  return {
    pairs,
    missing: expected.filter((n) => !pairs.has(n)),
    extra: available.filter((n) => !taken.has(n) && !n.endsWith(SKIPPED_SUFFIX)),
    skipped,
    byRule,
  };
}
