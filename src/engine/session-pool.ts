// Several gradient sessions of one model, each in a worker thread, taking the batches of a gradient as
// they come free: on a CPU, ORT runs its copies (Pad, Slice, Transpose, Concat, batch norm) on one thread
// whatever its intra-op count, so two one-thread sessions on two cores evaluate ResNet-20 1.3× faster than
// one two-thread session, at a session's memory each. Results come back in the order batches were given,
// so the sums over them, and their bytes, do not depend on which session ran what.
import { Worker } from 'node:worker_threads';
import { LcaError } from '../errors.js';
import type { OnnxModel } from './onnx/model.js';
import type { GradientBatch, GradientResult, GradientSession, SessionOptions } from './session.js';

export type WorkerRequest =
  | { kind: 'run'; id: number; batch: GradientBatch; parameters?: Float32Array[] }
  | { kind: 'close' };

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; lossSum: number; gradients: Float32Array[] }
  | { kind: 'error'; id: number; message: string };

interface Pending { resolve: (r: GradientResult) => void; reject: (e: Error) => void }

/**
 * One worker: its thread, the θ it last received, and the run it is busy with. An idle thread does not keep
 * the process alive (a job that fails before it releases the pool still exits); a busy or closing one does.
 */
interface Member { worker: Worker; parameters?: readonly Float32Array[]; busy: boolean; exited: boolean }

/** Opens `size` sessions of `model` with `options` each, running up to `size` batches at once; fails with the first session's error. */
export async function openSessionPool(model: OnnxModel, options: SessionOptions, size: number): Promise<GradientSession> {
  const members: Member[] = [];
  const pending = new Map<number, Pending>();
  const queue: { id: number; batch: GradientBatch; parameters: readonly Float32Array[] }[] = [];
  let nextId = 0;
  let failure: Error | undefined;
  let closing = false;

  const fail = (error: Error) => {
    failure ??= error;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
    queue.length = 0;
  };
  const dispatch = () => {
    for (const member of members) {
      if (member.busy || queue.length === 0) continue;
      const { id, batch, parameters } = queue.shift()!;
      // A batch's images are a view of the dataset, which posting would copy whole: its own copy is moved
      // instead. Its labels are the objective's own small array, copied by the post.
      const images = batch.images.slice();
      const fresh = member.parameters !== parameters;
      member.parameters = parameters;
      member.busy = true;
      member.worker.ref();
      // θ's views are copied to the worker once per point: later batches of the same point reuse them.
      member.worker.postMessage({ kind: 'run', id, batch: { images, labels: batch.labels }, parameters: fresh ? parameters.map((p) => p.slice()) : undefined } satisfies WorkerRequest, [images.buffer]);
    }
  };

  const started = Array.from({ length: size }, () => new Promise<void>((ready, refuse) => {
    const worker = new Worker(new URL('./session-worker.js', import.meta.url), { workerData: { model, options } });
    const member: Member = { worker, busy: false, exited: false };
    members.push(member);
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'ready') {
        worker.unref();
        return ready();
      }
      if (reply.kind === 'error' && reply.id === -1) return refuse(new LcaError(reply.message));
      member.busy = false;
      worker.unref();
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.kind === 'result') p?.resolve({ lossSum: reply.lossSum, gradients: reply.gradients });
      else p?.reject(new LcaError(reply.message));
      dispatch();
    });
    worker.on('error', (error) => {
      const failed = new LcaError(`a gradient session's thread failed: ${error.message}`);
      refuse(failed);
      fail(failed);
    });
    worker.on('exit', (code) => {
      member.exited = true;
      if (!closing) fail(new LcaError(`a gradient session's thread exited with code ${code}`));
    });
  }));
  try {
    await Promise.all(started);
  } catch (error) {
    closing = true;
    await Promise.all(members.map((m) => m.worker.terminate()));
    throw error;
  }

  return {
    run(batch, parameters) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const result = new Promise<GradientResult>((resolve, reject) => pending.set(id, { resolve, reject }));
      queue.push({ id, batch, parameters });
      dispatch();
      return result;
    },
    async release() {
      closing = true;
      await Promise.all(members.filter((m) => !m.exited).map((m) => new Promise<void>((closed) => {
        m.worker.ref(); // the caller goes on after the threads have ended
        m.worker.once('exit', () => closed());
        m.worker.postMessage({ kind: 'close' } satisfies WorkerRequest);
      })));
    },
  };
}
