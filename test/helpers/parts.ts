// The raw schema metadata of a folder's first part, as a pandas/pyarrow reader would see it: tests
// check the documented on-disk keys here, not what lca's own reader makes of them.
import { openRowFile } from '../../src/store/arrow-rows.js';
import { listParts } from '../../src/store/lca-parts.js';

export async function firstPartMetadata(dir: string): Promise<Map<string, string>> {
  const [part] = listParts(dir);
  if (!part) throw new Error(`${dir}: no parts`);
  const reader = await openRowFile(part.file);
  await reader.close();
  return reader.metadata;
}
