// An ONNX Runtime session over a gradient model (autodiff.ts): feeds a batch and θ's variables as
// tensors over the caller's memory, returns the loss sum and one gradient per parameter. The only file
// of the engine that loads onnxruntime-node. A fixed intra-op thread count and sequential execution
// make the reductions' order, and so the bytes of every result, the same from run to run.
import * as ort from 'onnxruntime-node';
import { LcaError } from '../errors.js';
import { gradientName, LABELS, LOSS_SUM } from './autodiff.js';
import { blockConvs, NCHWC_DOMAIN } from './nchwc.js';
import { encodeModel } from './onnx/encode.js';
import { DataType, type OnnxModel } from './onnx/model.js';

export type Provider = 'cpu' | 'cuda';

export interface SessionOptions {
  provider: Provider;
  threads: number;
  /** Writes ORT's per-op profile to a JSON file whose name starts with this prefix, for tuning. */
  profile?: string;
}

export interface GradientBatch {
  /** [count, H, W, C], row-major, as lca stores images. */
  images: Float32Array;
  /** [count] class ids. */
  labels: BigInt64Array;
}

export interface GradientResult {
  lossSum: number;
  /** ∂lossSum/∂parameter, in the model's parameter order; absent in a loss-only model. */
  gradients: Float32Array[];
}

export interface GradientSession {
  run(batch: GradientBatch, parameters: readonly Float32Array[]): Promise<GradientResult>;
  release(): Promise<void>;
}

const staticDims = (shape: (number | string)[], what: string): number[] => {
  if (!shape.every((d): d is number => typeof d === 'number')) throw new LcaError(`${what}: shape ${JSON.stringify(shape)} is not static`);
  return shape;
};

/** ORT's own message says which library failed to load; the line says what to install. */
async function create(bytes: Uint8Array, options: SessionOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      executionProviders: [options.provider],
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // No pre-planned memory pattern: it reserved every intermediate at once (ResNet-20's gradient at
      // batch 250: 1.66 GB peak RSS with it, 0.90 GB without, no slower; at 2,500 it passed 15 GB).
      enableMemPattern: false,
      enableProfiling: options.profile !== undefined,
      profileFilePrefix: options.profile,
      logSeverityLevel: 3, // errors only: ORT's warnings are about graph rewrites, not the user's input
      // Idle pool threads sleep instead of spinning: each op here is long enough that waking costs
      // nothing measurable, and spinning threads took the cores from the working ones whenever
      // anything else ran (LeNet's gradient 2.5× slower on a loaded machine).
      // EliminateIdentity off: ORT runs the nodes in a depth-first order from the graph's leaves, the last
      // leaf first. The gradient outputs' Identity nodes, in parameter order (autodiff.ts), are then those
      // leaves, so the last layer's gradients come first and each filter gradient right after its
      // layer's dY. With them removed, the first layer's filter gradient led, and every layer's dY stayed
      // alive until the end of the backward pass (ResNet-20 at batch 2,500: 6.3 GB peak RSS, 4.3 GB without).
      // CommonSubexpressionElimination off: it would merge the backward's rebuilt copies (autodiff/rebuild.ts)
      // back into the forward's values, which then stay alive through the forward again.
      extra: { session: { intra_op: { allow_spinning: '0' } }, optimization: { disable_specified_optimizers: 'EliminateIdentity;CommonSubexpressionElimination' } },
    });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    if (options.provider === 'cuda') throw new LcaError(`ONNX Runtime's CUDA provider cannot start (${reason}); it needs onnxruntime-node's CUDA 12 libraries (reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12) and CUDA 12 with cuDNN 9`);
    throw new LcaError(`ONNX Runtime cannot load the gradient model: ${reason}`);
  }
}

let blockSize: Promise<number> | undefined;

/**
 * The channel block of ORT's NCHWc kernels on this CPU (16 with AVX-512, 8 with AVX2), read from the
 * shape a four-channel reorder gives (its smallest input); 0 where this build has no blocked kernels.
 */
export function nchwcBlockSize(): Promise<number> {
  blockSize ??= (async () => {
    const model: OnnxModel = {
      irVersion: 8,
      opsetImports: [{ domain: '', version: 17 }, { domain: NCHWC_DOMAIN, version: 1 }],
      graph: {
        name: 'block-size',
        nodes: [{ opType: 'ReorderInput', domain: NCHWC_DOMAIN, name: 'reorder', inputs: ['x'], outputs: ['y'], attributes: {} }],
        initializers: [],
        inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 4, 1, 1] }],
        outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: [1, 'block', 1, 1] }],
      },
    };
    try {
      const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'], logSeverityLevel: 3 });
      const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4, 1, 1]) });
      await session.release();
      return y.dims[1];
    } catch {
      return 0;
    }
  })();
  return blockSize;
}

/**
 * A session over `model`, whose inputs are one image input, `labels` and the parameters, and whose
 * outputs are `loss_sum` and, for a gradient model, `grad:<parameter>` per parameter.
 */
export async function openGradientSession(model: OnnxModel, options: SessionOptions): Promise<GradientSession> {
  if (!Number.isInteger(options.threads) || options.threads < 1) throw new LcaError(`threads must be a positive integer, got ${options.threads}`);
  const [imageInput, , ...parameterInputs] = model.graph.inputs;
  if (model.graph.inputs[1]?.name !== LABELS) throw new LcaError(`the gradient model's second input is not '${LABELS}'`);
  const pixelShape = staticDims(imageInput.shape.slice(1), imageInput.name);
  const pixels = pixelShape.reduce((a, b) => a * b, 1);
  const parameterShapes = parameterInputs.map((v) => staticDims(v.shape, v.name));
  const outputs = model.graph.outputs.map((o) => o.name);
  const withGradients = outputs.includes(gradientName(parameterInputs[0]?.name ?? ''));
  const runnable = options.provider === 'cpu' ? blockConvs(model, await nchwcBlockSize()) : model;
  const session = await create(encodeModel(runnable), options);
  return {
    async run(batch, parameters) {
      const count = batch.labels.length;
      if (batch.images.length !== count * pixels) throw new LcaError(`a batch of ${count} labels needs ${count * pixels} pixel values, got ${batch.images.length}`);
      if (parameters.length !== parameterInputs.length) throw new LcaError(`the model takes ${parameterInputs.length} parameters, got ${parameters.length}`);
      const feeds: Record<string, ort.Tensor> = {
        [imageInput.name]: new ort.Tensor('float32', batch.images, [count, ...pixelShape]),
        [LABELS]: new ort.Tensor('int64', batch.labels, [count]),
      };
      parameterInputs.forEach((v, i) => (feeds[v.name] = new ort.Tensor('float32', parameters[i], parameterShapes[i])));
      const result = await session.run(feeds);
      const lossSum = (result[LOSS_SUM].data as Float32Array)[0];
      const gradients = withGradients ? parameterInputs.map((v) => result[gradientName(v.name)].data as Float32Array) : [];
      return { lossSum, gradients };
    },
    release: async () => {
      if (options.profile !== undefined) session.endProfiling();
      await session.release();
    },
  };
}
