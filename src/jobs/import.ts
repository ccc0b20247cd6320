// `lca import`: a model trained elsewhere (an ONNX graph, its checkpoints, its training data) becomes
// an ordinary run directory (manifest, weights.arrow, the graph copied in) that compute, status,
// analyze, plot and report read like any other.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { expandPattern, orderCheckpoints, readStateDict, type CheckpointFile } from '../interop/checkpoints.js';
import { loadExampleData } from '../interop/data.js';
import { checkDifferentiable, inspectModel, readOnnxFile } from '../interop/onnx-file.js';
import { planParameters, rowsOf } from '../interop/parameters.js';
import { MANIFEST_FORMAT, writeManifest, type Manifest } from '../store/manifest.js';
import { assertWritable, stageDir } from '../store/run-dir.js';
import { rowsDescription } from '../store/steps.js';
import { createWeightsWriter, WEIGHTS_FILE } from '../store/weights.js';
import type { Reporter } from './reporter.js';
import { packageVersions } from './versions.js';

export const IMPORTED_MODEL_FILE = 'model.onnx';
/** Default evaluation batch: MNIST's 11,000 (5 batches of its 55,000 training images). */
export const DEFAULT_IMPORT_EVAL_BATCH = 11000;

export interface ImportOptions {
  model: string;
  /** Files or patterns (`ckpt/step-*.safetensors`). */
  checkpoints: string[];
  /** Steps of the checkpoints in name order, instead of the numbers in their names. */
  steps?: number[];
  /** A built-in dataset name or an .npz file with x and y. */
  data: string;
  dataDir?: string;
  evalBatchSize?: number;
  out: string;
  force: boolean;
  projectRoot: string;
  reporter: Reporter;
}

function stepsOfStack(files: CheckpointFile[], count: number, steps: number[] | undefined): number[] {
  if (!steps) return Array.from({ length: count }, (_, i) => i);
  if (steps.length !== count) throw new UsageError(`--steps gives ${steps.length} steps, but ${files[0].file} stacks ${count}`);
  return steps;
}

export async function runImport(options: ImportOptions): Promise<Manifest> {
  const { reporter } = options;
  assertWritable(options.out, options.force); // before reading anything large
  const model = readOnnxFile(options.model);
  const graph = inspectModel(model, options.model);
  const files = orderCheckpoints(options.checkpoints.flatMap(expandPattern), options.steps);
  const first = readStateDict(files[0].file);
  const plan = planParameters(graph.floatInitializers, first, files[0].file, files.length === 1, graph.unusedRunningStatistics);
  checkDifferentiable(graph, options.model, plan.variables.map((v) => v.name));
  const steps = plan.stacked !== null ? stepsOfStack(files, plan.stacked, options.steps) : files.map((f) => f.step);
  for (let i = 1; i < steps.length; i++) {
    if (steps[i] <= steps[i - 1]) throw new UsageError(`--steps must increase (${steps[i - 1]} then ${steps[i]})`);
  }
  if (steps.length < 2) throw new UsageError(`--checkpoints: ${files[0].file} is a single checkpoint; LCA needs at least two`);
  const exampleShape = graph.input.shape.slice(1);
  const data = loadExampleData(options.data, { projectRoot: options.projectRoot, dataDir: options.dataDir, exampleShape, numClasses: graph.numClasses });
  reporter.info(`data ${data.name}: ${data.train.count} training examples of shape [${data.exampleShape.join(', ')}], ${data.numClasses} classes`);

  const staged = stageDir(options.out, { force: options.force });
  try {
    const conversions = new Set<string>();
    const weights = createWeightsWriter(staged.staging, plan.variables);
    try {
      let row = 0;
      for (const { file } of files) {
        for (const theta of rowsOf(plan, row === 0 ? first : readStateDict(file), file, conversions)) {
          await weights.append({ iteration: row++, minibatch_loss: Number.NaN }, theta);
        }
      }
    } finally {
      await weights.close();
    }
    fs.copyFileSync(options.model, path.join(staged.staging, IMPORTED_MODEL_FILE));
    const notes = [...plan.notes, ...conversions, ...data.notes];
    const T = steps.length - 1;
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      created: new Date().toISOString(),
      config: { model: 'imported', dataset: data.name, data_dir: options.dataDir ?? null, eval_batch_size: options.evalBatchSize ?? Math.min(DEFAULT_IMPORT_EVAL_BATCH, data.train.count) },
      model: {
        name: path.basename(options.model, '.onnx'), // exporters' graph names are generic (torch_jit)
        parameters: plan.variables.reduce((n, v) => n + v.size, 0),
        variables: plan.variables,
        uses_batch_statistics: graph.usesBatchStatistics,
      },
      dataset: {
        name: data.name, source: data.source, train_count: data.train.count, val_count: data.val.count, fingerprint: data.fingerprint,
        image_shape: data.exampleShape, num_classes: data.numClasses, synthetic: data.synthetic,
      },
      training: { iterations: T, iterations_per_epoch: T, seconds: 0, resumed_at: [] },
      backend: { name: 'imported', package: model.producerName ?? 'unknown', version: 'unknown' },
      versions: packageVersions(),
      files: { weights: WEIGHTS_FILE },
      imported: {
        model_file: IMPORTED_MODEL_FILE,
        sources: { model: path.resolve(options.model), checkpoints: files.map((f) => path.resolve(f.file)), data: data.builtIn ? data.name : data.source },
        steps,
        input: graph.input.name,
        output: graph.output.name,
        example_shape: data.exampleShape,
        constants: plan.constants,
        notes,
      },
    };
    writeManifest(staged.staging, manifest);
    staged.commit();
    for (const note of notes) reporter.info(`note: ${note}`);
    reporter.info(`imported ${T + 1} checkpoints (steps ${steps[0]}…${steps[T]}, ${rowsDescription(manifest) ?? '1 step per row'}) ` +
      `of ${manifest.model.parameters} parameters into ${options.out}`);
    return manifest;
  } catch (err) {
    staged.abandon();
    throw err;
  }
}
