// The dotted keys in which two configs differ, e.g. for refusing to resume a training with another one.
type Tree = Record<string, unknown>;

export function configDifferences(a: unknown, b: unknown, prefix = ''): string[] {
  const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isTree(a) && isTree(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => configDifferences(a[k], b[k], `${prefix}${k}.`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix.slice(0, -1)];
}
