// What compute differentiates and over which data: a built-in network (on ONNX Runtime or TF.js) with
// its dataset, or an imported graph (ONNX Runtime only: the engine differentiates the graph itself)
// with the data it was imported with.
import type { BackendChoice, Engine, RunningBackend } from '../backend/names.js';
import { openBackend } from '../backend/open.js';
import { loadDataset } from '../data/dataset.js';
import type { DatasetName, ImageSet } from '../data/types.js';
import { InputError } from '../errors.js';
import { importedData, importedGraph } from '../interop/imported-run.js';
import { FullDatasetObjective, type LossAndGradient, type ObjectiveOptions, type SegmentPoint } from '../lca/full-dataset.js';
import type { Network } from '../models/network.js';
import { networkNamed } from '../models/registry.js';
import type { ModelName } from '../config/schema.js';
import { checkVariablesMatch } from '../store/manifest-check.js';
import { MANIFEST_FILE, type Manifest } from '../store/manifest.js';
import type { Reporter } from './reporter.js';

/** L and ∇L over a dataset, whichever engine computes it. */
export interface Objective {
  readonly classCounts: number[];
  lossAndGradient(theta: Float32Array, at?: SegmentPoint): LossAndGradient | Promise<LossAndGradient>;
  dispose(): void | Promise<void>;
}

export interface ModelSource {
  train: ImageSet;
  val: ImageSet;
  engines: readonly Engine[];
  open(backend: RunningBackend, set: ImageSet, evalBatchSize: number, options?: ObjectiveOptions): Promise<Objective>;
}

export const engineOptions = (backend: RunningBackend) => ({ provider: backend.provider ?? 'cpu', threads: backend.threads ?? 1, sessions: backend.sessions });

export function modelSource(run: string, manifest: Manifest, options: { projectRoot: string; dataDir?: string }): ModelSource {
  if (manifest.imported) {
    const data = importedData(run, manifest, options);
    const graph = importedGraph(run, manifest);
    return {
      train: data.train, val: data.val, engines: ['onnxruntime'],
      open: async (backend, set, evalBatchSize, objectiveOptions) => {
        const { OrtFullDatasetObjective } = await import('../engine/objective.js');
        return OrtFullDatasetObjective.openGraph(graph, set, evalBatchSize, engineOptions(backend), objectiveOptions);
      },
    };
  }
  const data = loadDataset(manifest.dataset.name as DatasetName, { dataDir: options.dataDir ?? manifest.config.data_dir ?? undefined, projectRoot: options.projectRoot });
  if (data.fingerprint !== manifest.dataset.fingerprint) {
    throw new InputError(`${data.source}: these ${data.name} files differ from the ones ${run} was trained on (fingerprint ${data.fingerprint.slice(0, 12)}… ≠ ${manifest.dataset.fingerprint.slice(0, 12)}…)`);
  }
  const net = networkNamed(manifest.config.model as ModelName);
  checkVariablesMatch(`${run}/${MANIFEST_FILE}`, net.name, manifest.model.variables, net.variables);
  return {
    train: data.train, val: data.val, engines: ['onnxruntime', 'tfjs'],
    open: (backend, set, evalBatchSize, objectiveOptions) => networkObjective(backend, net, set, evalBatchSize, objectiveOptions),
  };
}

/** One objective to open: L over `set` in evaluation batches of `evalBatchSize`. */
export interface ObjectiveSpec {
  set: ImageSet;
  evalBatchSize: number;
  options?: ObjectiveOptions;
}

/**
 * The objectives of `specs` on the backend `--backend` chooses among the source's engines: what
 * `lca compute`, `compute --dry-run` and `lca prune` all evaluate L with.
 */
export async function openObjectives(source: ModelSource, specs: readonly ObjectiveSpec[], options: { backend: BackendChoice; threads?: number; sessions?: number; reporter: Reporter }): Promise<{ backend: RunningBackend; objectives: Objective[] }> {
  const { backend, value: objectives } = await openBackend(options.backend, {
    threads: options.threads, sessions: options.sessions, log: options.reporter, engines: source.engines,
    open: async (b) => {
      const opened: Objective[] = [];
      for (const s of specs) opened.push(await source.open(b, s.set, s.evalBatchSize, s.options));
      return opened;
    },
  });
  return { backend, objectives };
}

/** A built-in network's objective: the engine's gradient model on ONNX Runtime, FullDatasetObjective on TF.js (the reference). */
export async function networkObjective(backend: RunningBackend, net: Network, set: ImageSet, evalBatchSize: number, options?: ObjectiveOptions): Promise<Objective> {
  if (backend.engine === 'tfjs') return new FullDatasetObjective(net, set, evalBatchSize, options);
  const { OrtFullDatasetObjective } = await import('../engine/objective.js');
  return OrtFullDatasetObjective.open(net, set, evalBatchSize, engineOptions(backend), options);
}
