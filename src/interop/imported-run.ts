// An imported run as compute needs it: its graph (the run's model.onnx, with the manifest's
// variables as the parameters) and its data (the .npz or built-in dataset it was imported with,
// refused if it no longer matches the fingerprint).
import path from 'node:path';
import type { GraphSource } from '../engine/objective.js';
import { InputError } from '../errors.js';
import type { ImportInfo, Manifest } from '../store/manifest.js';
import { loadExampleData, type ExampleData } from './data.js';
import { inspectModel, readOnnxFile } from './onnx-file.js';

export const importInfo = (manifest: Manifest, run: string): ImportInfo => {
  if (!manifest.imported) throw new InputError(`${run}: not an imported run`);
  return manifest.imported;
};

export function importedGraph(run: string, manifest: Manifest): GraphSource {
  const info = importInfo(manifest, run);
  return {
    name: manifest.model.name,
    forward: inspectModel(readOnnxFile(path.join(run, info.model_file)), path.join(run, info.model_file)).model,
    logits: info.output,
    slots: manifest.model.variables,
    exampleShape: info.example_shape,
    numClasses: manifest.dataset.num_classes,
    usesBatchStatistics: manifest.model.uses_batch_statistics,
  };
}

/** The data the run was imported with; `dataDir` points a built-in dataset elsewhere. */
export function importedData(run: string, manifest: Manifest, options: { projectRoot: string; dataDir?: string }): ExampleData {
  const info = importInfo(manifest, run);
  const data = loadExampleData(info.sources.data, {
    projectRoot: options.projectRoot, dataDir: options.dataDir ?? manifest.config.data_dir ?? undefined,
    exampleShape: info.example_shape, numClasses: manifest.dataset.num_classes,
  });
  if (data.fingerprint !== manifest.dataset.fingerprint) {
    throw new InputError(`${data.source}: this data differs from what ${run} was imported with (fingerprint ${data.fingerprint.slice(0, 12)}… ≠ ${manifest.dataset.fingerprint.slice(0, 12)}…)`);
  }
  return data;
}
