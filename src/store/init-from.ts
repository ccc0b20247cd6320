// `init_from`: θ_0 of another run (the original's --init_weights_h5, original-conventions.md §5), so a
// frozen or re-tuned run starts where its baseline started. The variables must match exactly.
import { UsageError } from '../errors.js';
import { readManifest, type ManifestVariable } from './manifest.js';
import { readIterates } from './weights.js';

export async function readInitialIterate(dir: string, model: string, variables: readonly Omit<ManifestVariable, 'offset'>[]): Promise<Float32Array> {
  const manifest = readManifest(dir);
  const describe = (vs: readonly Omit<ManifestVariable, 'offset'>[]) => vs.map((v) => `${v.name} [${v.shape.join(',')}]`).join(', ');
  if (manifest.model.name !== model) {
    throw new UsageError(`init_from: ${dir} is a ${manifest.model.name} run, but this run trains ${model}`);
  }
  if (describe(manifest.model.variables) !== describe(variables)) {
    throw new UsageError(`init_from: ${dir} has variables ${describe(manifest.model.variables)}, but ${model} has ${describe(variables)}`);
  }
  for await (const iterate of readIterates(dir, manifest, 0, 0)) return iterate.theta;
  throw new UsageError(`init_from: ${dir} holds no iterate`); // readIterates throws first; kept for the type checker
}
