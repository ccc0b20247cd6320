// Backward rules of the matrix products: Gemm (transA/transB, alpha, beta, a broadcast C) and MatMul.
import { attr } from '../onnx/builder.js';
import { floatAttr, intAttr } from '../shapes.js';
import type { OpRule } from './rule.js';
import { sumToShape, unsupported } from './rule.js';

/**
 * Y = α·A'·B' + β·C with A' = Aᵀ if transA, B' = Bᵀ if transB. Then ∂A' = α·dY·B'ᵀ and ∂B' = α·A'ᵀ·dY,
 * each written as one Gemm whose trans flags absorb the transposes (∂A = (∂A')ᵀ where transA).
 */
const gemm: OpRule = {
  backward: (ctx, [dy]) => {
    if (!dy) return [];
    const { g, node } = ctx;
    const [a, b, c] = node.inputs;
    const alpha = floatAttr(node, 'alpha', 1);
    const beta = floatAttr(node, 'beta', 1);
    const transA = intAttr(node, 'transA', 0) === 1;
    const transB = intAttr(node, 'transB', 0) === 1;
    const product = (x: string, y: string, tx: boolean, ty: boolean) =>
      g.op('Gemm', [x, y], { alpha: attr.float(alpha), transA: attr.int(tx ? 1 : 0), transB: attr.int(ty ? 1 : 0) });
    const da = ctx.needs(0) ? (transA ? product(b, dy, transB, true) : product(dy, b, false, !transB)) : undefined;
    const db = ctx.needs(1) ? (transB ? product(dy, a, true, transA) : product(a, dy, !transA, false)) : undefined;
    let dc: string | undefined;
    if (c && ctx.needs(2)) {
      const summed = sumToShape(ctx, dy, ctx.shape(node.outputs[0]), c);
      dc = beta === 1 ? summed : g.op('Mul', [summed, g.scalar(beta)]);
    }
    return [da, db, dc];
  },
};

/** Swaps the last two axes of a value of rank `rank`. */
const swapLast = (rank: number): number[] => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];

/** Y = A·B (batched, broadcasting): ∂A = dY·Bᵀ, ∂B = Aᵀ·dY, each summed over broadcast batch axes. */
const matMul: OpRule = {
  backward: (ctx, [dy]) => {
    if (!dy) return [];
    const { g, node } = ctx;
    const [a, b] = node.inputs;
    const ra = ctx.shape(a).length;
    const rb = ctx.shape(b).length;
    if (ra < 2 || rb < 2) throw unsupported(ctx, 'MatMul of a 1-D operand');
    const out = ctx.shape(node.outputs[0]);
    const da = ctx.needs(0) ? sumToShape(ctx, g.op('MatMul', [dy, g.transpose(b, swapLast(rb))]), out.slice(0, -1).concat(ctx.shape(a).slice(-1)), a) : undefined;
    const db = ctx.needs(1) ? sumToShape(ctx, g.op('MatMul', [g.transpose(a, swapLast(ra)), dy]), out.slice(0, -2).concat(ctx.shape(b).slice(-2)), b) : undefined;
    return [da, db];
  },
};

export const linearRules: Record<string, OpRule> = { Gemm: gemm, MatMul: matMul };
