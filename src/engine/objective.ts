// L(θ) and ∇L(θ) over a whole dataset (or a subset, or per class) on ONNX Runtime: the same evaluation
// batches and sums as the TF.js FullDatasetObjective (lca/batch-plan.ts), each batch one run of the
// network's gradient model (with --sessions, several at once: session-pool.ts). Images stay where the
// dataset holds them (contiguous batches are views); θ's variables are fed as views of θ, so a point costs
// no copy on the JavaScript side of one session.
import { gatherExamples } from '../data/imageset.js';
import type { ImageSet } from '../data/types.js';
import { UsageError } from '../errors.js';
import { BatchSums, planBatches, type LossAndGradient } from '../lca/batch-plan.js';
import type { ObjectiveOptions, SegmentPoint } from '../lca/full-dataset.js';
import { layoutOf, type Network, type VariableSlot } from '../models/network.js';
import { gradientGraph } from './autodiff.js';
import { forwardGraph, LOGITS } from './forward.js';
import type { OnnxModel } from './onnx/model.js';
import { openGradientSession, type GradientBatch, type GradientResult, type GradientSession, type Provider } from './session.js';
import { openSessionPool } from './session-pool.js';

export interface EngineOptions {
  provider: Provider;
  /** ORT's intra-op threads per session; fixed, so that results are the same bytes from run to run. */
  threads: number;
  /** Sessions evaluating a gradient's batches at once, each in its own thread (session-pool.ts); default 1. */
  sessions?: number;
  /** ORT's per-op profile file prefix (see SessionOptions). */
  profile?: string;
}

/**
 * What the objective differentiates: a forward graph (a built-in network's, or one `lca import` read),
 * the name of its logits, and where each parameter (an initializer of the graph) lives in θ.
 */
export interface GraphSource {
  name: string;
  forward: OnnxModel;
  logits: string;
  slots: readonly Pick<VariableSlot, 'name' | 'offset' | 'size'>[];
  /** One example's shape: the graph input's dims after the batch axis. */
  exampleShape: readonly number[];
  numClasses: number;
  usesBatchStatistics: boolean;
}

export const networkSource = (net: Network): GraphSource => ({
  name: net.name, forward: forwardGraph(net), logits: LOGITS, slots: layoutOf(net.variables).slots,
  exampleShape: net.inputShape, numClasses: net.numClasses, usesBatchStatistics: net.usesBatchStatistics,
});

const int64Labels = (labels: Uint8Array): BigInt64Array => BigInt64Array.from(labels, (l) => BigInt(l));

/** Adds `scale` × each variable's gradient (the session's order) into the flat float64 θ-layout `out`. */
export function addGradients(slots: readonly Pick<VariableSlot, 'offset' | 'size'>[], gradients: readonly Float32Array[], out: Float64Array, scale: number): void {
  slots.forEach((slot, v) => {
    const g = gradients[v];
    const target = out.subarray(slot.offset, slot.offset + slot.size);
    for (let i = 0; i < g.length; i++) target[i] += scale * g[i];
  });
}

// With batch norm each evaluation batch normalises with its own statistics, so the batch size is part of
// the definition of L; class-homogeneous batches would change L itself, so `byClass` is refused there.
export class OrtFullDatasetObjective {
  readonly count: number;
  /** Examples per class (byClass only). */
  readonly classCounts: number[];
  private readonly slots: GraphSource['slots'];
  private readonly size: number;

  private constructor(
    readonly evalBatchSize: number,
    private readonly batches: (GradientBatch & { label: number })[],
    private readonly session: GradientSession,
    /** How many batches the session runs at once. */
    private readonly width: number,
    slots: GraphSource['slots'],
    count: number,
    classCounts: number[],
  ) {
    this.slots = slots;
    this.size = slots.reduce((n, s) => n + s.size, 0);
    this.count = count;
    this.classCounts = classCounts;
  }

  /** Builds the network's gradient model, opens its session and lays out the evaluation batches. */
  static async open(net: Network, set: ImageSet, evalBatchSize: number, engine: EngineOptions, options: ObjectiveOptions = {}): Promise<OrtFullDatasetObjective> {
    return OrtFullDatasetObjective.openGraph(networkSource(net), set, evalBatchSize, engine, options);
  }

  /** The same for any forward graph (an imported model's). */
  static async openGraph(source: GraphSource, set: ImageSet, evalBatchSize: number, engine: EngineOptions, options: ObjectiveOptions = {}): Promise<OrtFullDatasetObjective> {
    const { indices, byClass = false } = options;
    if (byClass && source.usesBatchStatistics) throw new UsageError(`${source.name}: per-class LCA needs class-homogeneous batches, which would change a batch-norm network's loss`);
    const pixels = source.exampleShape.reduce((a, b) => a * b, 1);
    const plan = planBatches(set, source.numClasses, evalBatchSize, { indices, byClass });
    const batches = plan.batches.map((b) => {
      if ('start' in b) {
        const images = set.images.subarray(b.start * pixels, (b.start + b.count) * pixels);
        return { images, labels: int64Labels(set.labels.subarray(b.start, b.start + b.count)), label: b.label };
      }
      const gathered = gatherExamples(set.images, set.labels, pixels, b.examples);
      return { images: gathered.images, labels: int64Labels(gathered.labels), label: b.label };
    });
    const model = gradientGraph(source.forward, { logits: source.logits, parameters: source.slots.map((s) => s.name) });
    // More sessions than batches would only hold memory.
    const width = Math.min(engine.sessions ?? 1, batches.length);
    const session = width > 1 ? await openSessionPool(model, engine, width) : await openGradientSession(model, engine);
    return new OrtFullDatasetObjective(evalBatchSize, batches, session, width, source.slots, indices?.length ?? set.count, plan.classCounts);
  }

  private views(theta: Float32Array): Float32Array[] {
    if (theta.length !== this.size) throw new UsageError(`θ has ${theta.length} values, the network ${this.size}`);
    return this.slots.map((s) => theta.subarray(s.offset, s.offset + s.size));
  }

  /** L(θ). It runs the gradient model (nothing in lca evaluates L alone on a hot path). */
  async loss(theta: Float32Array): Promise<number> {
    return (await this.lossAndGradient(theta)).loss;
  }

  /** L and ∇L at θ (with byClass, per class too). `at` is accepted for the TF.js objective's surface and not needed here. */
  async lossAndGradient(theta: Float32Array, _at?: SegmentPoint): Promise<LossAndGradient> {
    const parameters = this.views(theta);
    const sums = new BatchSums(this.size, this.count, this.classCounts);
    // `width` batches in flight, added in the batches' order (the same sums whichever session finishes
    // first), so that at most `width` results wait in memory.
    const running = new Map<number, Promise<GradientResult>>();
    let started = 0;
    for (let k = 0; k < this.batches.length; k++) {
      for (; started < Math.min(k + this.width, this.batches.length); started++) {
        const result = this.session.run(this.batches[started], parameters);
        result.catch(() => {}); // awaited in turn below; a failure while an earlier batch is awaited is not unhandled
        running.set(started, result);
      }
      const batch = this.batches[k];
      const { lossSum, gradients } = await running.get(k)!;
      running.delete(k);
      const { gradient, scale } = sums.target(batch.label);
      addGradients(this.slots, gradients, gradient, scale);
      sums.addLoss(batch.label, lossSum);
    }
    return sums.result();
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
