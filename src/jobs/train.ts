// `lca train`: check the config against the network and data, train from θ_0 (or resume a killed
// training from its checkpoint), and write a new run directory.
import fs from 'node:fs';
import path from 'node:path';
import type { TrainConfig } from '../config/schema.js';
import { describeBackend } from '../backend/names.js';
import { openBackend } from '../backend/open.js';
import { loadDataset } from '../data/dataset.js';
import { DATASET_IMAGE_SHAPES, type ImageSet } from '../data/types.js';
import { LcaError, UsageError } from '../errors.js';
import { initBackend } from '../backend/init.js';
import { evaluate } from '../models/evaluate.js';
import { initialParameters } from '../models/init.js';
import { layoutOf, type Network } from '../models/network.js';
import { networkNamed } from '../models/registry.js';
import { iterationsPerEpoch, train } from '../train/loop.js';
import { openMinibatchGradient } from './engines.js';
import { planLayers, updaterFor } from '../train/per-layer.js';
import { readCheckpoint, writeCheckpoint, checkpointPath } from '../store/checkpoint.js';
import { readInitialIterate } from '../store/init-from.js';
import { IterateLog } from '../store/iterate-log.js';
import { MANIFEST_FILE, MANIFEST_FORMAT, trainConfig, type Manifest } from '../store/manifest.js';
import { stageDir } from '../store/run-dir.js';
import { clearUnfinished, finishedStaged, finishStaged, readStagedConfig, removeTrainingFiles, writeStagedConfig } from '../store/staged-run.js';
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
  /** Take over a staging folder whose lease another host still holds. */
  breakLock?: boolean;
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

/** With --resume, the config given must be the one the training started with (another would not continue it). */
function resumedConfig(given: TrainConfig | undefined, started: TrainConfig | null, staging: string): TrainConfig {
  if (!started) {
    if (!given) throw new UsageError(`${staging} was killed before it recorded its config: resume with the original --config and flags`);
    return given;
  }
  const differ = given ? configDifferences(started, given) : [];
  if (differ.length > 0) throw new UsageError(`--resume: the config differs from the checkpoint's in ${differ.join(', ')}`);
  return started;
}

/** The first iteration whose minibatch loss or θ is not finite: training stops there. */
class Divergence extends Error {
  constructor(readonly iteration: number, readonly what: string) {
    super(what);
  }
}

function nonFinite(theta: Float32Array): number {
  for (let i = 0; i < theta.length; i++) if (!Number.isFinite(theta[i])) return i;
  return -1;
}

const diskFull = (err: unknown): boolean => ['ENOSPC', 'EDQUOT'].includes((err as NodeJS.ErrnoException)?.code ?? '');


// The final training loss is the mean minibatch loss of the last steps: free, unlike a pass over the
// whole training set (half an hour for ResNet-20 on a CPU); accuracy comes from the validation set.
const FINAL_WINDOW = 50;

// At most this many validation images: a bounded forward pass on TF.js (seconds even for ResNet-20 on wasm).
const FINAL_VAL_IMAGES = 1000;

async function reportFinal(reporter: Reporter, net: Network, theta: Float32Array, all: ImageSet, batchSize: number, recentLosses: number[]): Promise<void> {
  const trainLoss = recentLosses.reduce((a, b) => a + b, 0) / Math.max(1, recentLosses.length);
  await initBackend('auto'); // TF.js may be unset when ONNX Runtime trained: never its slow pure-JS default
  const count = Math.min(all.count, FINAL_VAL_IMAGES);
  const pixels = all.images.length / Math.max(1, all.count);
  const val: ImageSet = { images: all.images.subarray(0, count * pixels), labels: all.labels.subarray(0, count), count };
  const { loss, accuracy } = evaluate(net, theta, val, batchSize);
  reporter.info(`final training loss ${trainLoss.toFixed(4)} (mean minibatch loss of the last ${recentLosses.length} iterations); ` +
    `θ_T on ${val.count === all.count ? 'the' : `the first ${val.count} of the`} ${all.count} validation images: loss ${loss.toFixed(4)}, accuracy ${(100 * accuracy).toFixed(2)} %`,
  { final_minibatch_loss: trainLoss, final_iterations: recentLosses.length, val_loss: loss, val_accuracy: accuracy, val_images: val.count });
}

export async function runTraining(options: TrainOptions): Promise<Manifest> {
  const { out, force, projectRoot, reporter } = options;
  const every = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  if (options.config) checkConfig(options.config); // before minutes of work, not after
  const staged = stageDir(out, { force, resume: options.resume, breakLock: options.breakLock });
  const { staging } = staged;
  const progress = reporter.progress('training');
  let committed = false;
  try {
    const finished = options.resume ? finishedStaged(staging) : null;
    if (finished) {
      resumedConfig(options.config, trainConfig(finished), staging);
      removeTrainingFiles(staging);
      staged.commit();
      reporter.info(`the training had finished; run written to ${out}`);
      return finished;
    }
    if (options.resume) clearUnfinished(staging);
    const checkpoint = options.resume ? readCheckpoint(staging) : null;
    const config = options.resume ? resumedConfig(options.config, checkpoint?.config ?? readStagedConfig(staging), staging) : options.config!;
    writeStagedConfig(staging, config);
    const net = checkConfig(config);
    const { slots, total } = layoutOf(net.variables);
    const variables = slots.map(({ name, shape, offset, size }) => ({ name, shape, offset, size }));
    const theta = checkpoint?.theta ??
      (config.init_from ? await readInitialIterate(config.init_from, net.name, variables) : initialParameters(net.variables, config.seed));

    const data = loadDataset(config.dataset, { dataDir: config.data_dir ?? undefined, projectRoot });
    reporter.info(`dataset ${data.name}: ${data.train.count} training images from ${data.source}`);
    if (config.batch_size > data.train.count) {
      throw new UsageError(`batch_size ${config.batch_size} is larger than the ${data.train.count} training images of ${data.name}`);
    }
    const { backend, value: minibatch } = await openBackend(config.backend, { threads: options.threads, log: reporter, open: (b) => openMinibatchGradient(b, net) });
    reporter.info(`backend ${describeBackend(backend)}`, { ...backend });

    const perEpoch = iterationsPerEpoch(data.train.count, config.batch_size);
    const planned = config.iterations ?? (config.epochs ?? 1) * perEpoch;
    const updater = updaterFor(config, slots, perEpoch);
    const start = checkpoint?.iteration ?? 0;
    const resumed = checkpoint ? [...checkpoint.resumed, start] : [];
    if (checkpoint) {
      updater.iteration = start;
      updater.optimizers.forEach((o, k) => {
        o.state.steps = checkpoint.optimizers[k].steps;
        checkpoint.optimizers[k].slots.forEach((s, j) => o.state.slots[j].set(s));
      });
      reporter.info(`resuming at iteration ${start} of ${planned} from ${checkpointPath(staging)}`);
    }
    const started = performance.now();
    const seconds = () => (checkpoint?.seconds ?? 0) + (performance.now() - started) / 1000;
    const log = IterateLog.open(staging, total, start);
    let diverged: Divergence | null = null;
    const recentLosses: number[] = [];
    let finalTheta = theta;
    try {
      await train(net, data.train, theta, updater, {
        iterations: planned, batchSize: config.batch_size, seed: config.seed, start, minibatchGradient: minibatch.gradient,
        beforeIteration: async (t, current) => {
          if (t % every !== 0) return;
          writeCheckpoint(staging, {
            iteration: t, config, theta: current, resumed, seconds: seconds(),
            optimizers: updater.optimizers.map((o) => ({ steps: o.state.steps, slots: o.state.slots })),
          });
          reporter.debug('checkpoint', { iteration: t });
        },
      }, async (t, current, minibatchLoss) => {
        staged.lease.heartbeat();
        const bad = nonFinite(current);
        if (bad >= 0) throw new Divergence(t, `θ_${t} holds ${current[bad]} (parameter ${bad})`);
        if (t < planned && !Number.isFinite(minibatchLoss)) throw new Divergence(t, `the minibatch loss at iteration ${t} is ${minibatchLoss}`);
        log.append(minibatchLoss, current);
        finalTheta = current;
        if (t < planned) recentLosses.push(minibatchLoss);
        if (recentLosses.length > FINAL_WINDOW) recentLosses.shift();
        if (t < planned) {
          progress.update(t + 1, planned);
          reporter.debug('step', { iteration: t, minibatch_loss: minibatchLoss });
        }
      });
    } catch (err) {
      if (!(err instanceof Divergence)) throw err;
      diverged = err;
    } finally {
      log.close();
      await minibatch.release();
    }
    // A diverged training keeps θ_0 … θ_{t−1}, the iterates before the first non-finite one, as a shorter run.
    const iterations = diverged ? diverged.iteration - 1 : planned;
    if (iterations < 1) throw new LcaError(`training diverged at once: ${diverged!.message}; nothing to keep (lower --lr)`);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      created: new Date().toISOString(),
      config,
      model: { name: net.name, parameters: total, variables, uses_batch_statistics: net.usesBatchStatistics },
      dataset: {
        name: data.name, source: data.source, train_count: data.train.count, val_count: data.val.count,
        fingerprint: data.fingerprint, image_shape: data.imageShape, num_classes: data.numClasses, synthetic: data.synthetic ?? false,
      },
      training: {
        iterations, iterations_per_epoch: perEpoch, seconds: seconds(), resumed_at: resumed,
        ...(diverged ? { diverged_at: diverged.iteration } : {}),
      },
      backend,
      versions: packageVersions(),
      files: { weights: WEIGHTS_FILE },
    };
    await finishStaged(staging, manifest);
    staged.commit();
    committed = true;
    if (diverged) {
      throw new LcaError(`training diverged: ${diverged.message}; θ_0 … θ_${iterations} were written to ${out} as a ${iterations}-iteration run ` +
        `(training.diverged_at: ${diverged.iteration}); lower --lr`);
    }
    reporter.info(`trained ${iterations} iterations in ${manifest.training.seconds.toFixed(1)} s; run written to ${out}`);
    await reportFinal(reporter, net, finalTheta, data.val, config.batch_size, recentLosses);
    return manifest;
  } catch (err) {
    if (committed) throw err; // a diverged run, already in place
    // A checkpoint is hours of work worth keeping, a manifest a finished run, and a resumed folder is
    // never deleted; a fresh training that failed before its first checkpoint (bad data, a usage error) has nothing to keep.
    const worthKeeping = options.resume || fs.existsSync(checkpointPath(staging)) || fs.existsSync(path.join(staging, MANIFEST_FILE));
    if (worthKeeping) staged.release();
    else staged.abandon();
    if (diskFull(err)) {
      throw new LcaError(`${staging}: no space left on device (${(err as Error).message}); free space, then \`lca train --resume --out ${out}\` ` +
        (fs.existsSync(checkpointPath(staging)) ? 'continues from the last checkpoint' : 'starts it again'));
    }
    throw err;
  } finally {
    progress.stop();
  }
}
