// Reverse-mode autodiff over an ONNX graph, in the spirit of micrograd: the forward nodes are copied
// (a few rewritten to keep what their backward needs), the summed softmax cross-entropy of the logits
// is appended, then each node's backward rule (autodiff/rules-*.ts) runs in reverse topological order.
// Pure: it builds an OnnxModel and never runs one.
import { InputError } from '../errors.js';
import { propagateRebuild, readRebuiltCopies, type Rebuilders } from './autodiff/rebuild.js';
import type { OpRule, RuleContext } from './autodiff/rule.js';
import { convRules } from './autodiff/rules-conv.js';
import { elementwiseRules } from './autodiff/rules-elementwise.js';
import { linearRules } from './autodiff/rules-linear.js';
import { batchNormalization } from './autodiff/rules-norm.js';
import { shapeRules } from './autodiff/rules-shape.js';
import { attr, GraphBuilder } from './onnx/builder.js';
import { DataType, type OnnxModel, type OnnxNode } from './onnx/model.js';
import { constantInts, describe, inferShapes } from './shapes.js';

export const LABELS = 'labels';
export const LOSS_SUM = 'loss_sum';
export const gradientName = (parameter: string): string => `grad:${parameter}`;

// Ops whose outputs carry no gradient even when an input depends on a parameter (shapes, comparisons).
const NOT_DIFFERENTIABLE = new Set(['Shape', 'Size', 'Greater', 'Less', 'Equal', 'ArgMax', 'ArgMin', 'Constant', 'ConstantOfShape']);
// Every rule reads at least ai.onnx 17's forms of the ops it writes (ScatterElements' reduction is 16).
const MIN_OPSET = 17;

export interface GradientOptions {
  logits: string;
  /** Initializers to differentiate with respect to; they become graph inputs, in this order. */
  parameters: string[];
}

function opsetOf(model: OnnxModel): number {
  const version = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  if (version === undefined) throw new InputError('the model imports no ai.onnx opset');
  if (version < 13) throw new InputError(`the model uses ai.onnx opset ${version}; lca's autodiff reads opsets 13 and later`);
  return Math.max(version, MIN_OPSET);
}

/**
 * The gradient model of `forward`: inputs its data inputs, `labels` (int64 [N]) and each parameter;
 * outputs `loss_sum` (Σ over the batch of the softmax cross-entropy of `logits`) and `grad:<name>` per
 * parameter, ∂loss_sum/∂parameter, in the given order.
 */
export function gradientGraph(forward: OnnxModel, options: GradientOptions): OnnxModel {
  const graph = forward.graph;
  const opset = opsetOf(forward);
  const parameters = new Set(options.parameters);
  const initializers = new Map(graph.initializers.map((t) => [t.name, t]));
  for (const p of options.parameters) if (!initializers.has(p)) throw new InputError(`parameter '${p}' is not an initializer of the model`);
  for (const n of graph.nodes) if (n.domain && n.domain !== 'ai.onnx') throw new InputError(`${describe(n)}: ops of domain '${n.domain}' are not supported by lca's autodiff`);
  if (!graph.nodes.some((n) => n.outputs.includes(options.logits))) throw new InputError(`no node computes the logits '${options.logits}'`);

  const shapes = inferShapes(graph);
  const constants = constantInts(graph);
  const rules: Record<string, OpRule> = { ...elementwiseRules, ...linearRules, ...convRules, ...shapeRules(constants), BatchNormalization: batchNormalization };

  // Values that depend on a parameter, then the nodes on a path from a parameter to the logits.
  const dependent = new Set(options.parameters);
  for (const n of graph.nodes) {
    if (!NOT_DIFFERENTIABLE.has(n.opType) && n.inputs.some((i) => dependent.has(i))) n.outputs.forEach((o) => dependent.add(o));
  }
  const wanted = new Set([options.logits]);
  const onPath = new Set<OnnxNode>();
  for (const n of [...graph.nodes].reverse()) {
    if (!n.outputs.some((o) => wanted.has(o)) || !n.outputs.some((o) => dependent.has(o))) continue;
    if (!rules[n.opType]) throw new InputError(`${describe(n)}: op ${n.opType} is not supported by lca's autodiff`);
    onPath.add(n);
    n.inputs.forEach((i) => dependent.has(i) && wanted.add(i));
  }

  const taken = new Set([...graph.nodes.flatMap((n) => [...n.inputs, ...n.outputs, n.name]), ...initializers.keys(), LABELS, LOSS_SUM]);
  const g = new GraphBuilder(opset, 'ad/', taken);
  const rebuilders: Rebuilders = new Map();
  const contextOf = (node: OnnxNode, saved: Record<string, string>): RuleContext => ({
    node, g, saved,
    rebuildable: (value, rebuild) => rebuilders.set(value, rebuild),
    needs: (i) => node.inputs[i] !== undefined && node.inputs[i] !== '' && dependent.has(node.inputs[i]) && wanted.has(node.inputs[i]),
    shape: (name) => {
      const s = shapes.get(name);
      if (!s) throw new InputError(`${describe(node)}: the shape of '${name}' cannot be inferred statically`);
      return s;
    },
  });

  const saved = new Map<OnnxNode, Record<string, string>>();
  for (const n of graph.nodes) {
    const rule = onPath.has(n) ? rules[n.opType] : undefined;
    if (rule?.forward) saved.set(n, rule.forward(contextOf(n, {})));
    else g.nodes.push(n);
    propagateRebuild(g, n, rebuilders);
  }
  const backwardStart = g.nodes.length;

  // Σ softmax cross-entropy; its gradient with respect to the logits is softmax − one-hot.
  const classes = shapes.get(options.logits)?.[1];
  if (typeof classes !== 'number') throw new InputError(`the number of classes of the logits '${options.logits}' cannot be inferred statically`);
  const [, logProbabilities] = g.add('SoftmaxCrossEntropyLoss', [options.logits, LABELS], { reduction: attr.string('sum') }, [LOSS_SUM, g.fresh('log_prob')]);
  const oneHot = g.op('OneHot', [LABELS, g.int64s([classes]), g.floats([0, 1])], { axis: attr.int(-1) });
  const contributions = new Map<string, string[]>([[options.logits, [g.op('Sub', [g.op('Exp', [logProbabilities]), oneHot])]]]);
  const gradientOf = (name: string): string | undefined => {
    const parts = contributions.get(name);
    if (!parts) return undefined;
    // Two parts (a residual's) as Add, which ORT runs on every intra-op thread; Sum it runs on one.
    return parts.length === 1 ? parts[0] : g.op(parts.length === 2 ? 'Add' : 'Sum', parts);
  };

  for (const n of [...graph.nodes].reverse()) {
    if (!onPath.has(n)) continue;
    const dy = n.outputs.map(gradientOf);
    if (dy.every((d) => d === undefined)) continue;
    const ctx = contextOf(n, saved.get(n) ?? {});
    rules[n.opType].backward(ctx, dy).forEach((d, i) => {
      if (d === undefined || !ctx.needs(i)) return;
      const input = n.inputs[i];
      contributions.set(input, [...(contributions.get(input) ?? []), d]);
    });
  }

  readRebuiltCopies(g, backwardStart, rebuilders);

  // One Identity per gradient output, last and in parameter order: ORT starts its depth-first execution
  // order from them, last first, which runs the backward pass layer by layer (session.ts).
  const outputs = options.parameters.map((p) => {
    const grad = gradientOf(p);
    const name = gradientName(p);
    const zero = { kind: 'tensor' as const, value: { name: '', dataType: DataType.FLOAT, dims: [1], data: new Float32Array(1) } };
    if (grad) g.add('Identity', [grad], {}, [name]);
    else g.add('ConstantOfShape', [g.int64s(initializers.get(p)!.dims)], { value: zero }, [name]); // the loss does not depend on it
    return { name, elemType: DataType.FLOAT, shape: initializers.get(p)!.dims.slice() };
  });

  // Rewritten forwards leave some constants unread (batch norm's running statistics in training form).
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  const batch = graph.inputs.find((v) => !initializers.has(v.name))?.shape[0] ?? 'N';
  return {
    ...forward,
    opsetImports: [...forward.opsetImports.filter((o) => o.domain !== '' && o.domain !== 'ai.onnx'), { domain: '', version: opset }],
    graph: {
      name: `${graph.name}/gradient`,
      nodes: g.nodes,
      initializers: [...graph.initializers, ...g.initializers].filter((t) => read.has(t.name) && !parameters.has(t.name)),
      inputs: [
        ...graph.inputs.filter((v) => !initializers.has(v.name)),
        { name: LABELS, elemType: DataType.INT64, shape: [batch] },
        ...options.parameters.map((p) => ({ name: p, elemType: DataType.FLOAT, shape: initializers.get(p)!.dims.slice() })),
      ],
      outputs: [{ name: LOSS_SUM, elemType: DataType.FLOAT, shape: [] }, ...outputs],
    },
  };
}
