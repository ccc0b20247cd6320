// The same run's LCA from two computes, e.g. ONNX Runtime and TF.js (analyze/engine-diff.ts), as JSON.
//   cp -r RUN RUN_B && rm -r RUN_B/lca && lca compute --run RUN_B --backend wasm   (RUN computed on the default engine)
//   node dist/scripts/compare-engines.js RUN RUN_B [METHOD]
import { engineDiff } from '../src/analyze/engine-diff.js';
import { describeBackend } from '../src/backend/names.js';
import { openRowFile } from '../src/store/arrow-rows.js';
import { lcaDir, listParts } from '../src/store/lca-parts.js';
import { readPartMetadata } from '../src/store/part-metadata.js';

const [a, b, method = 'adaptive'] = process.argv.slice(2);
async function backend(run: string): Promise<string> {
  const { file } = listParts(lcaDir(run, method))[0];
  const reader = await openRowFile(file);
  await reader.close();
  return describeBackend(readPartMetadata(file, reader.metadata).backend);
}
const diff = await engineDiff(a, b, method);
console.log(JSON.stringify({ ...diff, a: { run: a, backend: await backend(a), ...diff.a }, b: { run: b, backend: await backend(b), ...diff.b } }, null, 2));
