// A network's forward pass as an ONNX model, written by the same layer tables that define it for
// TF.js: input `images` float32 [N, H, W, C] (lca's stored layout), output `logits` [N, classes],
// one initializer per variable under the manifest's name and in its layout.
import { layoutOf, type Network } from '../models/network.js';
import { GraphBuilder } from './onnx/builder.js';
import { DataType, type OnnxModel } from './onnx/model.js';

/** The opset lca writes: BatchNormalization's training_mode (14) and ScatterElements' reduction (16) are in it. */
export const LCA_OPSET = 17;
export const IMAGES = 'images';
export const LOGITS = 'logits';
const BATCH = 'N';

/** The forward model; initializers hold θ (flat, the manifest's order), zeros without it. */
export function forwardGraph(net: Network, theta?: Float32Array): OnnxModel {
  const { slots, total } = layoutOf(net.variables);
  if (theta && theta.length !== total) throw new Error(`${net.name}: θ has ${theta.length} values, the network ${total}`);
  const taken = new Set([IMAGES, LOGITS, ...slots.map((s) => s.name)]);
  const g = new GraphBuilder(LCA_OPSET, '', taken);
  const logits = net.onnxLogits(g, slots.map((s) => s.name), IMAGES);
  // The last node writes `logits` directly, so the name is the graph's output without an Identity.
  g.nodes[g.nodes.length - 1].outputs = g.nodes[g.nodes.length - 1].outputs.map((o) => (o === logits ? LOGITS : o));
  if (!g.nodes[g.nodes.length - 1].outputs.includes(LOGITS)) throw new Error(`${net.name}: the last node does not write the logits`);
  const parameters = slots.map((s) => ({
    name: s.name,
    dataType: DataType.FLOAT,
    dims: s.shape,
    data: theta ? theta.slice(s.offset, s.offset + s.size) : new Float32Array(s.size),
  }));
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: LCA_OPSET }],
    producerName: 'lca',
    graph: {
      name: net.name,
      nodes: g.nodes,
      initializers: [...parameters, ...g.initializers],
      inputs: [{ name: IMAGES, elemType: DataType.FLOAT, shape: [BATCH, ...net.inputShape] }],
      outputs: [{ name: LOGITS, elemType: DataType.FLOAT, shape: [BATCH, net.numClasses] }],
    },
  };
}
