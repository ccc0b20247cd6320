// Small ONNX graphs for the engine tests, and a directional finite-difference check of a gradient
// model run on ONNX Runtime (the ORT analogue of finite-difference.ts).
import { gradientGraph } from '../../src/engine/autodiff.js';
import { GraphBuilder as Builder, type GraphBuilder } from '../../src/engine/onnx/builder.js';
import { DataType, type OnnxModel } from '../../src/engine/onnx/model.js';
import { openGradientSession } from '../../src/engine/session.js';
import { RandomState } from '../../src/data/mt19937.js';
import { inferShapes } from '../../src/engine/shapes.js';

export interface Parameter {
  name: string;
  dims: number[];
  values: Float32Array;
}

export const randomValues = (n: number, seed: number, scale = 1): Float32Array => {
  const rng = new RandomState(seed);
  return Float32Array.from({ length: n }, () => scale * rng.standardNormal());
};

export const parameter = (name: string, dims: number[], seed: number, scale = 1): Parameter =>
  ({ name, dims, values: randomValues(dims.reduce((a, b) => a * b, 1), seed, scale) });

/**
 * A model: input `x` [N, …inputDims], the nodes `body` writes from x to `features` values per example
 * (flattened here), then a fixed projection onto 3 logits, so any body's output feeds a loss.
 */
export function smallModel(inputDims: number[], parameters: Parameter[], body: (g: GraphBuilder) => string, opset = 17): OnnxModel {
  const g = new Builder(opset, 't/');
  const flat = g.op('Flatten', [body(g)]);
  const shape = inferShapes(finish(g, inputDims, parameters, flat, opset).graph).get(flat);
  const features = shape?.[1];
  if (typeof features !== 'number') throw new Error(`the body's output has shape ${JSON.stringify(shape)}`);
  const projection = g.floats(Array.from(randomValues(features * 3, 99)), [features, 3]);
  return finish(g, inputDims, parameters, g.op('MatMul', [flat, projection]), opset);
}

function finish(g: GraphBuilder, inputDims: number[], parameters: Parameter[], features: string, opset: number): OnnxModel {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    graph: {
      name: 'small',
      nodes: g.nodes,
      initializers: [...parameters.map((p) => ({ name: p.name, dataType: DataType.FLOAT, dims: p.dims, data: p.values })), ...g.initializers],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['N', ...inputDims] }],
      outputs: [{ name: features, elemType: DataType.FLOAT, shape: ['N', 3] }],
    },
  };
}

/** As smallModel, with the logits `body` returns already [N, 3]. */
export function logitsModel(inputDims: number[], parameters: Parameter[], body: (g: GraphBuilder) => string, opset = 17): OnnxModel {
  const g = new Builder(opset, 't/');
  return finish(g, inputDims, parameters, body(g), opset);
}

export interface Check {
  name: string;
  /** max over the probed elements of |finite difference − analytic|, over the largest |analytic| of the parameter. */
  error: number;
  largest: number;
}

/**
 * Per parameter, central finite differences of loss_sum at up to `probes` evenly spaced elements
 * against the gradient model's values there. Element-wise, so an error in a few elements (a missed
 * window of a pooling, say) shows even where a directional check would average it away.
 */
export async function elementChecks(model: OnnxModel, logits: string, parameters: Parameter[], x: Float32Array, labels: number[], probes = 60, eps = 1e-3): Promise<Check[]> {
  const session = await openGradientSession(gradientGraph(model, { logits, parameters: parameters.map((p) => p.name) }), { provider: 'cpu', threads: 1 });
  const batch = { images: x, labels: BigInt64Array.from(labels.map(BigInt)) };
  try {
    const values = parameters.map((p) => p.values);
    const { gradients } = await session.run(batch, values);
    const checks: Check[] = [];
    for (let k = 0; k < parameters.length; k++) {
      const g = gradients[k];
      const largest = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const stride = Math.max(1, Math.floor(g.length / probes));
      let error = 0;
      for (let i = 0; i < g.length; i += stride) {
        const lossAt = async (delta: number) => {
          const moved = values.slice();
          moved[k] = Float32Array.from(values[k]);
          moved[k][i] += delta;
          return (await session.run(batch, moved)).lossSum;
        };
        const numeric = ((await lossAt(eps)) - (await lossAt(-eps))) / (2 * eps);
        error = Math.max(error, Math.abs(numeric - g[i]));
      }
      checks.push({ name: parameters[k].name, error: error / largest, largest });
    }
    return checks;
  } finally {
    await session.release();
  }
}
