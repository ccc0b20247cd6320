// Backward rules of the ops that move or sum values without arithmetic per element: Transpose, the
// reshapes (Reshape, Flatten, Squeeze, Unsqueeze) and the reductions ReduceSum / ReduceMean.
import { intAttr, intsAttr } from '../shapes.js';
import type { OpRule, RuleContext } from './rule.js';
import { runtimeShape, unsupported } from './rule.js';

const transpose: OpRule = {
  backward: (ctx, [dy]) => {
    if (!dy) return [];
    const rank = ctx.shape(ctx.node.inputs[0]).length;
    const perm = intsAttr(ctx.node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [ctx.g.transpose(dy, inverse)];
  },
};

/** Any op that only reinterprets its first input's shape: the gradient takes the input's shape back. */
const reshape: OpRule = {
  backward: (ctx, [dy]) => [dy && ctx.g.reshape(dy, runtimeShape(ctx.g, ctx.node.inputs[0]))],
};

/** The reduced axes, from the axes input (ReduceSum ≥ 13, ReduceMean ≥ 18) or attribute; all where none are given. */
function reducedAxes(ctx: RuleContext, constants: Map<string, number[]>): number[] | undefined {
  const rank = ctx.shape(ctx.node.inputs[0]).length;
  const given = ctx.node.inputs[1] ? constants.get(ctx.node.inputs[1]) : intsAttr(ctx.node, 'axes');
  if (ctx.node.inputs[1] && !given) throw unsupported(ctx, 'axes that are not a constant');
  if (!given || given.length === 0) return intAttr(ctx.node, 'noop_with_empty_axes', 0) === 1 ? undefined : Array.from({ length: rank }, (_, i) => i);
  return given.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

/** ReduceSum / ReduceMean: dY (with the reduced axes restored) broadcast back, divided by the count for a mean. */
const reduction = (constants: Map<string, number[]>, mean: boolean): OpRule => ({
  backward: (ctx, [dy]) => {
    if (!dy) return [];
    const { g, node } = ctx;
    const x = node.inputs[0];
    const axes = reducedAxes(ctx, constants);
    if (!axes) return [dy]; // noop_with_empty_axes: the identity
    const kept = intAttr(node, 'keepdims', 1) === 1 ? dy : g.unsqueeze(dy, axes);
    const spread = g.op('Expand', [kept, runtimeShape(g, x)]);
    if (!mean) return [spread];
    const count = axes.map((a) => ctx.shape(x)[a]).reduce((p: number, d) => p * (typeof d === 'number' ? d : Number.NaN), 1);
    if (!Number.isFinite(count)) throw unsupported(ctx, 'a mean over axes whose size is not static');
    return [g.op('Mul', [spread, g.scalar(1 / count)])];
  },
});

/** The rules of this file; the reductions read constant axes inputs from `constants`. */
export const shapeRules = (constants: Map<string, number[]>): Record<string, OpRule> => ({
  Transpose: transpose,
  Reshape: reshape,
  Flatten: reshape,
  Squeeze: reshape,
  Unsqueeze: reshape,
  ReduceSum: reduction(constants, false),
  ReduceMean: reduction(constants, true),
});
