// `lca train`: check the config against the network and data, train from θ_0 (or resume a killed
// training from its checkpoint), and write a new run directory.
import fs from 'node:fs';
import type { TrainConfig } from '../config/schema.js';
import { describeBackend } from '../backend/names.js';
import { openBackend } from '../backend/open.js';
import { loadDataset } from '../data/dataset.js';
import { DATASET_IMAGE_SHAPES } from '../data/types.js';
import { UsageError } from '../errors.js';
import { initialParameters } from '../models/init.js';
import { layoutOf, type Network } from '../models/network.js';
import { networkNamed } from '../models/registry.js';
import { iterationsPerEpoch, tfjsMinibatchGradient, train } from '../train/loop.js';
import { planLayers, updaterFor } from '../train/per-layer.js';
import { readCheckpoint, writeCheckpoint, checkpointPath, type Checkpoint } from '../store/checkpoint.js';
import { readInitialIterate } from '../store/init-from.js';
import { IterateLog } from '../store/iterate-log.js';
import { MANIFEST_FORMAT, writeManifest, type Manifest } from '../store/manifest.js';
import { stageDir } from '../store/run-dir.js';
import { WEIGHTS_FILE } from '../store/weights.js';
import { configDifferences } from '../config/diff.js';
import type { Reporter } from './reporter.js';
import { packageVersions } from './versions.js';

export interface TrainOptions {
  /** The config; with `resume` it may be left out, and the checkpoint's is used. */
  config?: TrainConfig;
  out: string;
  force: boolean;
  /** Continue the killed training of `out` from its last checkpoint. */
  resume?: boolean;
  /** Iterations between checkpoints (default 50). */
  checkpointEvery?: number;
  /** ONNX Runtime's intra-op threads (default: one per core). */
  threads?: number;
  projectRoot: string;
  reporter: Reporter;
}

export const DEFAULT_CHECKPOINT_EVERY = 50;

/** Config-only checks, before any data is read or folder made: the network must take the dataset's images. */
function checkConfig(config: TrainConfig): Network {
  const net = networkNamed(config.model);
  const shape = DATASET_IMAGE_SHAPES[config.dataset];
  if (net.inputShape.join('×') !== shape.join('×')) {
    throw new UsageError(`model ${config.model} takes ${net.inputShape.join('×')} images, but dataset ${config.dataset} has ${shape.join('×')}`);
  }
  planLayers(config, layoutOf(net.variables).slots); // globs that match nothing fail here, not after loading data
  return net;
}

/** With --resume, the config given must be the checkpoint's (a different one would not continue the same training). */
function resumedConfig(given: TrainConfig | undefined, checkpoint: Checkpoint | null, staging: string): TrainConfig {
  if (!checkpoint) {
    if (!given) throw new UsageError(`${staging} has no checkpoint yet: resume with the original --config and flags`);
    return given;
  }
  const differ = given ? configDifferences(checkpoint.config, given) : [];
  if (differ.length > 0) throw new UsageError(`--resume: the config differs from the checkpoint's in ${differ.join(', ')}`);
  return checkpoint.config;
}

export async function runTraining(options: TrainOptions): Promise<Manifest> {
  const { out, force, projectRoot, reporter } = options;
  const every = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  if (options.config) checkConfig(options.config); // before minutes of work, not after
  const staged = stageDir(out, force, options.resume);
  const progress = reporter.progress('training');
  try {
    const checkpoint = options.resume ? readCheckpoint(staged.staging) : null;
    const config = options.resume ? resumedConfig(options.config, checkpoint, staged.staging) : options.config!;
    const net = checkConfig(config);
    const { slots, total } = layoutOf(net.variables);
    const variables = slots.map(({ name, shape, offset, size }) => ({ name, shape, offset, size }));
    const theta = checkpoint?.theta ??
      (config.init_from ? await readInitialIterate(config.init_from, net.name, variables) : initialParameters(net.variables, config.seed));

    const data = loadDataset(config.dataset, { dataDir: config.data_dir ?? undefined, projectRoot });
    reporter.info(`dataset ${data.name}: ${data.train.count} training images from ${data.source}`);
    const { backend, value: minibatchGradient } = await openBackend(config.backend, {
      threads: options.threads, log: reporter, engines: ['tfjs'], open: async () => tfjsMinibatchGradient(net),
    });
    reporter.info(`backend ${describeBackend(backend)}`, { ...backend });

    const perEpoch = iterationsPerEpoch(data.train.count, config.batch_size);
    const iterations = config.iterations ?? (config.epochs ?? 1) * perEpoch;
    const updater = updaterFor(config, slots, perEpoch);
    const start = checkpoint?.iteration ?? 0;
    const resumed = checkpoint ? [...checkpoint.resumed, start] : [];
    if (checkpoint) {
      updater.iteration = start;
      updater.optimizers.forEach((o, k) => {
        o.state.steps = checkpoint.optimizers[k].steps;
        checkpoint.optimizers[k].slots.forEach((s, j) => o.state.slots[j].set(s));
      });
      reporter.info(`resuming at iteration ${start} of ${iterations} from ${checkpointPath(staged.staging)}`);
    }
    const started = performance.now();
    const seconds = () => (checkpoint?.seconds ?? 0) + (performance.now() - started) / 1000;
    const log = IterateLog.open(staged.staging, total, start);
    try {
      await train(net, data.train, theta, updater, {
        iterations, batchSize: config.batch_size, seed: config.seed, start, minibatchGradient,
        beforeIteration: async (t, current) => {
          if (t % every !== 0) return;
          writeCheckpoint(staged.staging, {
            iteration: t, config, theta: current, resumed, seconds: seconds(),
            optimizers: updater.optimizers.map((o) => ({ steps: o.state.steps, slots: o.state.slots })),
          });
          reporter.debug('checkpoint', { iteration: t });
        },
      }, async (t, current, minibatchLoss) => {
        log.append(minibatchLoss, current);
        if (t < iterations) {
          progress.update(t + 1, iterations);
          reporter.debug('step', { iteration: t, minibatch_loss: minibatchLoss });
        }
      });
    } finally {
      log.close();
    }
    await IterateLog.toWeights(staged.staging, variables, iterations + 1);
    fs.rmSync(checkpointPath(staged.staging), { force: true });
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      created: new Date().toISOString(),
      config,
      model: { name: net.name, parameters: total, variables, uses_batch_statistics: net.usesBatchStatistics },
      dataset: {
        name: data.name, source: data.source, train_count: data.train.count, val_count: data.val.count,
        fingerprint: data.fingerprint, image_shape: data.imageShape, num_classes: data.numClasses, synthetic: data.synthetic ?? false,
      },
      training: { iterations, iterations_per_epoch: perEpoch, seconds: seconds(), resumed_at: resumed },
      backend,
      versions: packageVersions(),
      files: { weights: WEIGHTS_FILE },
    };
    writeManifest(staged.staging, manifest);
    staged.commit();
    reporter.info(`trained ${iterations} iterations in ${manifest.training.seconds.toFixed(1)} s; run written to ${out}`);
    return manifest;
  } catch (err) {
    // A checkpoint is hours of work worth keeping for --resume; without one there is nothing to keep.
    if (fs.existsSync(checkpointPath(staged.staging))) staged.release();
    else staged.abandon();
    throw err;
  } finally {
    progress.stop();
  }
}
