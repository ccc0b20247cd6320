// ONNX Runtime's blocked-channel convolutions for the CPU provider. ORT converts a Conv to its NCHWc
// form (channels in blocks of 8 or 16, the layout its AVX kernels are written for) only when the weights
// are constants; lca feeds θ as inputs, so its Convs ran on the slower im2col path. This pass writes
// the blocked form itself: the input reordered in, the weights reordered inside the graph (a tiny
// Transpose per call), the output reordered back. ResNet-20's 16-channel 3×3 conv at batch 500 takes
// about 0.6× the CPU time of the plain Conv with the reorders counted.
import { attr, GraphBuilder } from './onnx/builder.js';
import type { OnnxAttribute, OnnxModel, OnnxNode } from './onnx/model.js';
import { inferShapes, intAttr } from './shapes.js';

export const NCHWC_DOMAIN = 'com.microsoft.nchwc';
const COPIED = ['auto_pad', 'kernel_shape', 'dilations', 'strides', 'pads'];

/**
 * The weights [M, C, kh, kw] in the order ORT's blocked kernels read them: output-channel blocks, then
 * input-channel blocks, the kernel, and a block × block tile (OIHWBiBo); with fewer input channels than
 * a block, the input stays unblocked (OIHWBo). ORT's MlasReorderFilterOIHWBiBo / OIHWBo define these.
 */
function reorderedWeights(g: GraphBuilder, weights: string, [filters, channels, kh, kw]: number[], block: number): string {
  const blocked = channels >= block
    ? g.transpose(g.reshape(weights, [filters / block, block, channels / block, block, kh, kw]), [0, 2, 4, 5, 3, 1])
    : g.transpose(g.reshape(weights, [filters / block, block, channels, kh, kw]), [0, 2, 3, 4, 1]);
  return g.reshape(blocked, [filters, channels, kh, kw]);
}

function blockedOp(g: GraphBuilder, opType: string, inputs: string[], attributes: Record<string, OnnxAttribute> = {}, outputs?: string[]): string {
  const [output] = g.add(opType, inputs, attributes, outputs);
  g.nodes[g.nodes.length - 1].domain = NCHWC_DOMAIN;
  return output;
}

/** A 2-D, ungrouped Conv whose filters fill whole blocks and whose input either fills whole blocks or is narrower than one. */
function blockable(node: OnnxNode, weightShape: unknown[] | undefined, block: number): weightShape is number[] {
  if (node.opType !== 'Conv' || (node.domain ?? '') !== '' || intAttr(node, 'group', 1) !== 1) return false;
  if (!weightShape || weightShape.length !== 4 || !weightShape.every((d) => typeof d === 'number')) return false;
  const [filters, channels] = weightShape as number[];
  return filters % block === 0 && (channels % block === 0 || channels < block);
}

/** `model` with every blockable Conv in ORT's NCHWc form; unchanged when `block` < 2 (no blocked kernels on this CPU). */
export function blockConvs(model: OnnxModel, block: number): OnnxModel {
  if (block < 2) return model;
  const { graph } = model;
  const shapes = inferShapes(graph);
  const taken = new Set([...graph.nodes.flatMap((n) => [...n.inputs, ...n.outputs]), ...graph.initializers.map((t) => t.name)]);
  const g = new GraphBuilder(0, 'nchwc/', taken);
  let rewritten = 0;
  for (const node of graph.nodes) {
    const weightShape = shapes.get(node.inputs[1]);
    if (!blockable(node, weightShape, block)) {
      g.nodes.push(node);
      continue;
    }
    const [x, weights, bias] = node.inputs;
    const input = weightShape[1] >= block ? blockedOp(g, 'ReorderInput', [x]) : x;
    const attributes = Object.fromEntries(COPIED.filter((a) => node.attributes[a]).map((a) => [a, node.attributes[a]]));
    const blocked = blockedOp(g, 'Conv', [input, reorderedWeights(g, weights, weightShape, block), ...(bias ? [bias] : [])], attributes);
    blockedOp(g, 'ReorderOutput', [blocked], { channels: attr.int(weightShape[0]) }, [node.outputs[0]]);
    rewritten++;
  }
  if (rewritten === 0) return model;
  return {
    ...model,
    opsetImports: [...model.opsetImports.filter((o) => o.domain !== NCHWC_DOMAIN), { domain: NCHWC_DOMAIN, version: 1 }],
    graph: { ...graph, nodes: g.nodes, initializers: [...graph.initializers, ...g.initializers] },
  };
}
