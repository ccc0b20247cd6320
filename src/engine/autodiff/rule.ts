// What a backward rule sees: its forward node, the builder of the gradient graph, the static shapes,
// and which inputs need a gradient. Shared helpers for the rules: undoing broadcasting and runtime shapes.
import { InputError } from '../../errors.js';
import type { GraphBuilder } from '../onnx/builder.js';
import type { OnnxNode } from '../onnx/model.js';
import type { Rebuild } from './rebuild.js';
import { describe, type Shape } from '../shapes.js';

export interface RuleContext {
  node: OnnxNode;
  g: GraphBuilder;
  /** The static shape of a value; an InputError naming the node where it is unknown. */
  shape(name: string): Shape;
  /** Whether input `i` of the node depends on a parameter, so needs a gradient. */
  needs(i: number): boolean;
  /** Names a rule's `forward` kept for its backward. */
  saved: Record<string, string>;
  /**
   * For a rule's `forward`: `value` can be rebuilt in the backward pass, bit for bit, by `rebuild`
   * (which appends the nodes) from values the backward keeps anyway (autodiff/rebuild.ts).
   */
  rebuildable(value: string, rebuild: Rebuild): void;
}

/** An op's reverse-mode rule, micrograd-style: the gradient of each input from those of the outputs. */
export interface OpRule {
  /**
   * Writes the forward node's outputs itself (same names) where the backward needs values the plain
   * node does not expose (max-pool indices, batch-norm's x̂ and 1/σ); returns those values' names.
   */
  forward?(ctx: RuleContext): Record<string, string>;
  /** ∂loss/∂input per input (undefined where not needed), from ∂loss/∂output per output (undefined where none flows). */
  backward(ctx: RuleContext, dy: (string | undefined)[]): (string | undefined)[];
}

export const unsupported = (ctx: RuleContext, what: string): InputError => new InputError(`${describe(ctx.node)}: ${what} is not supported by lca's autodiff`);

/** Runtime shape of a value, for reshapes whose target holds the symbolic batch. */
export const runtimeShape = (g: GraphBuilder, name: string): string => g.op('Shape', [name]);

/**
 * Sums a gradient of the broadcast shape `from` down to the shape of `operand` (leading axes, and
 * axes where the operand has 1), the reverse of ONNX's multidirectional broadcasting.
 */
export function sumToShape(ctx: RuleContext, grad: string, from: Shape, operand: string): string {
  const target = ctx.shape(operand);
  const extra = from.length - target.length;
  const axes = from.map((_, i) => i).filter((i) => i < extra || (target[i - extra] === 1 && from[i] !== 1));
  if (axes.length === 0) return grad;
  const summed = ctx.g.reduce('ReduceSum', grad, axes, true);
  if (extra === 0) return summed; // keepdims left exactly the operand's shape
  return ctx.g.reshape(summed, target.every((d) => typeof d === 'number') ? (target as number[]) : runtimeShape(ctx.g, operand));
}
