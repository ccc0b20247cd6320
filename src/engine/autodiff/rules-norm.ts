// BatchNormalization's backward in closed form. Training form (training_mode = 1): the batch's mean
// and biased variance, written out as ops so x̂ and 1/σ are kept, and the gradient flowing through both
// (Ioffe & Szegedy 2015 §3; lca's TF.js reference is src/models/batch-norm.ts). Inference form: the
// running statistics are constants and the op is affine per channel.
import { attr, type GraphBuilder } from '../onnx/builder.js';
import { floatAttr, intAttr } from '../shapes.js';
import type { OpRule, RuleContext } from './rule.js';
import { unsupported } from './rule.js';

/** Axes reduced per channel (all but 1) and the shape [1, C, 1, …] that broadcasts a per-channel vector. */
function geometry(ctx: RuleContext): { axes: number[]; perChannel: number[]; channels: number } {
  const shape = ctx.shape(ctx.node.inputs[0]);
  const channels = shape[1];
  if (typeof channels !== 'number') throw unsupported(ctx, 'a channel count that is not static');
  const axes = shape.map((_, i) => i).filter((i) => i !== 1);
  return { axes, perChannel: shape.map((_, i) => (i === 1 ? channels : 1)), channels };
}

const training = (ctx: RuleContext): boolean => intAttr(ctx.node, 'training_mode', 0) === 1;

/**
 * scale·x + bias per channel in one pass: ONNX's BatchNormalization in inference form with mean 0,
 * variance 1 and ε 0 (ORT has no fused Mul-Add; two ops read and write the whole tensor twice).
 */
function affine(g: GraphBuilder, x: string, scale: string, bias: string, channels: number, output?: string): string {
  const identity = [g.floats(new Array<number>(channels).fill(0)), g.floats(new Array<number>(channels).fill(1))];
  return g.add('BatchNormalization', [x, scale, bias, ...identity], { epsilon: attr.float(0) }, output ? [output] : 1)[0];
}

export const batchNormalization: OpRule = {
  forward: (ctx) => {
    const { g, node } = ctx;
    const [x, scale, bias, mean, variance] = node.inputs;
    const { axes, perChannel, channels } = geometry(ctx);
    const epsilon = g.scalar(floatAttr(node, 'epsilon', 1e-5));
    const [centred, rstd] = training(ctx)
      ? (() => {
        const c = g.op('Sub', [x, g.reduce('ReduceMean', x, axes, true)]);
        // Mean of squares as TF.js's moments sums it. ReduceSumSquare saves a pass, but its other summation
        // order (1e-6 relative) flipped a ReLU whose input is 4e-7 and moved AllCNN's gradient at 4 images
        // by 1e-2 against TF.js (test/engine-networks.test.ts).
        const variance = g.reduce('ReduceMean', g.op('Mul', [c, c]), axes, true);
        return [c, g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, epsilon])])])];
      })()
      : [g.op('Sub', [x, g.reshape(mean, perChannel)]), g.reshape(g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, epsilon])])]), perChannel)];
    // γ·x̂ + β as (γ/σ)·(x − μ) + β: x̂ itself is never written out, one pass over the tensor fewer.
    const gain = g.op('Mul', [scale, g.reshape(rstd, [channels])]);
    affine(g, centred, gain, bias, channels, node.outputs[0]);
    ctx.rebuildable(node.outputs[0], () => affine(g, centred, gain, bias, channels));
    return { centred, rstd, gain };
  },
  /**
   * dβ = Σ dy, dγ = Σ dy·x̂ = Σ dy·(x − μ) / σ (over all axes but the channel). Inference: dx = γ/σ·dy.
   * Training: dx = (γ/σ)·(dy − dβ/m − x̂·dγ/m), m = the values per channel in this batch, written as
   * (γ/σ)·dy + (a·(x − μ) + b) with per-channel a, b so that it takes three passes over the tensor, not five.
   */
  backward: (ctx, [dy]) => {
    if (!dy) return [];
    const { g } = ctx;
    if (ctx.needs(3) || ctx.needs(4)) throw unsupported(ctx, 'a gradient with respect to the running statistics');
    const { axes, perChannel, channels } = geometry(ctx);
    const { centred, rstd, gain: channelGain } = ctx.saved;
    const dBeta = g.reduce('ReduceSum', dy, axes, true);
    const dGamma = g.op('Mul', [g.reduce('ReduceSum', g.op('Mul', [dy, centred]), axes, true), rstd]);
    const gain = g.reshape(channelGain, perChannel);
    const flat = [channels];
    let dx: string | undefined;
    if (ctx.needs(0)) {
      if (training(ctx)) {
        // −1/m from dy's size, not x's: reading x, even for its size, kept it alive from the forward until here.
        const perValue = g.op('Div', [g.scalar(-channels), g.op('Cast', [g.op('Size', [dy])], { to: attr.int(1) })]);
        const perElement = (sum: string) => g.op('Mul', [gain, g.op('Mul', [sum, perValue])]);
        const slope = g.reshape(g.op('Mul', [perElement(dGamma), rstd]), flat);
        dx = g.op('Add', [g.op('Mul', [dy, gain]), affine(g, centred, slope, g.reshape(perElement(dBeta), flat), channels)]);
      } else {
        dx = g.op('Mul', [dy, gain]);
      }
    }
    return [dx, ctx.needs(1) ? g.reshape(dGamma, flat) : undefined, ctx.needs(2) ? g.reshape(dBeta, flat) : undefined];
  },
};
