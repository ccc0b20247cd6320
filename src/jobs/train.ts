// `lca train`: check the config against the network and data, train from θ_0, and stream every
// iterate into a new run directory.
import type { TrainConfig } from '../config/schema.js';
import { initBackend } from '../backend/init.js';
import type { BackendChoice } from '../backend/names.js';
import { DATASET_IMAGE_SHAPES, loadDataset } from '../data/dataset.js';
import { UsageError } from '../errors.js';
import { initialParameters } from '../models/init.js';
import { layoutOf, type Network } from '../models/network.js';
import { networkNamed } from '../models/registry.js';
import { iterationsPerEpoch, train } from '../train/loop.js';
import { planLayers, updaterFor } from '../train/per-layer.js';
import { readInitialIterate } from '../store/init-from.js';
import { MANIFEST_FORMAT, writeManifest, type Manifest } from '../store/manifest.js';
import { assertWritable, stageDir } from '../store/run-dir.js';
import { createWeightsWriter, WEIGHTS_FILE } from '../store/weights.js';
import type { Reporter } from './reporter.js';
import { packageVersions } from './versions.js';

export interface TrainOptions {
  config: TrainConfig;
  out: string;
  force: boolean;
  projectRoot: string;
  reporter: Reporter;
}

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

export async function runTraining({ config, out, force, projectRoot, reporter }: TrainOptions): Promise<Manifest> {
  assertWritable(out, force); // before minutes of work, not after
  const net = checkConfig(config);
  const data = loadDataset(config.dataset, { dataDir: config.data_dir ?? undefined, projectRoot });
  reporter.info(`dataset ${data.name}: ${data.train.count} training images from ${data.source}`);
  const backend = await initBackend(config.backend as BackendChoice);
  reporter.info(`backend ${backend.name}`, { package: backend.package, version: backend.version });

  const { slots, total } = layoutOf(net.variables);
  const perEpoch = iterationsPerEpoch(data.train.count, config.batch_size);
  const iterations = config.iterations ?? (config.epochs ?? 1) * perEpoch;
  const variables = slots.map(({ name, shape, offset, size }) => ({ name, shape, offset, size }));
  const theta = config.init_from ? await readInitialIterate(config.init_from, net.name, variables) : initialParameters(net.variables, config.seed);

  const staged = stageDir(out, force);
  const started = performance.now();
  const progress = reporter.progress('training');
  try {
    const weights = createWeightsWriter(staged.staging, variables);
    await train(net, data.train, theta, updaterFor(config, slots, perEpoch),
      { iterations, batchSize: config.batch_size, seed: config.seed },
      async (t, current, minibatchLoss) => {
        await weights.append({ iteration: t, minibatch_loss: minibatchLoss }, current);
        if (t < iterations) {
          progress.update(t + 1, iterations);
          reporter.debug('step', { iteration: t, minibatch_loss: minibatchLoss });
        }
      });
    await weights.close();
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      created: new Date().toISOString(),
      config,
      model: { name: net.name, parameters: total, variables, uses_batch_statistics: net.usesBatchStatistics },
      dataset: {
        name: data.name, source: data.source, train_count: data.train.count, val_count: data.val.count,
        fingerprint: data.fingerprint, image_shape: data.imageShape, num_classes: data.numClasses, synthetic: data.synthetic ?? false,
      },
      training: { iterations, iterations_per_epoch: perEpoch, seconds: (performance.now() - started) / 1000 },
      backend: { name: backend.name, package: backend.package, version: backend.version },
      versions: packageVersions(),
      files: { weights: WEIGHTS_FILE },
    };
    writeManifest(staged.staging, manifest);
    staged.commit();
    reporter.info(`trained ${iterations} iterations in ${manifest.training.seconds.toFixed(1)} s; run written to ${out}`);
    return manifest;
  } catch (err) {
    staged.abandon();
    throw err;
  } finally {
    progress.stop();
  }
}
