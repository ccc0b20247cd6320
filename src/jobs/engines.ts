// What train runs on the backend that was chosen: the minibatch gradient, from TF.js (the reference) or
// from the engine's ONNX Runtime gradient model, the same model compute's objective runs (model-source.ts).
// The engine is imported only when it runs, so that TF.js runs never load onnxruntime-node.
import type { RunningBackend } from '../backend/names.js';
import { layoutOf, type Network } from '../models/network.js';
import { tfjsMinibatchGradient, type MinibatchGradient } from '../train/loop.js';
import { engineOptions } from './model-source.js';

/** The minibatch gradient of training, from the same gradient model as compute's objective on ONNX Runtime. */
export async function openMinibatchGradient(backend: RunningBackend, net: Network): Promise<{ gradient: MinibatchGradient; release: () => Promise<void> }> {
  if (backend.engine === 'tfjs') return { gradient: tfjsMinibatchGradient(net), release: async () => {} };
  const [{ openGradientSession }, { gradientGraph }, { forwardGraph, LOGITS }, { addGradients }] = await Promise.all([
    import('../engine/session.js'), import('../engine/autodiff.js'), import('../engine/forward.js'), import('../engine/objective.js'),
  ]);
  const { slots } = layoutOf(net.variables);
  const session = await openGradientSession(gradientGraph(forwardGraph(net), { logits: LOGITS, parameters: slots.map((s) => s.name) }), engineOptions(backend));
  const gradient: MinibatchGradient = async (theta, images, labels, out, scale) => {
    const { lossSum, gradients } = await session.run(
      { images, labels: BigInt64Array.from(labels, (l) => BigInt(l)) }, slots.map((s) => theta.subarray(s.offset, s.offset + s.size)));
    addGradients(slots, gradients, out, scale);
    return lossSum;
  };
  return { gradient, release: () => session.release() };
}
