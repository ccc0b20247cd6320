// One gradient session of a SessionPool (session-pool.ts), in its own thread: onnxruntime-node runs a
// session on the calling thread, so sessions that should run at once need threads of their own. It opens
// the session from the model it is started with, then answers each batch with its loss sum and gradients.
import { parentPort, workerData } from 'node:worker_threads';
import { openGradientSession, type SessionOptions } from './session.js';
import type { OnnxModel } from './onnx/model.js';
import type { WorkerReply, WorkerRequest } from './session-pool.js';

const port = parentPort!;
const { model, options } = workerData as { model: OnnxModel; options: SessionOptions };
const post = (reply: WorkerReply) => port.postMessage(reply);

try {
  const session = await openGradientSession(model, options);
  // θ's variables arrive with the first batch of each point and stay until the next point's.
  let parameters: Float32Array[] = [];
  port.on('message', (request: WorkerRequest) => {
    if (request.kind === 'close') {
      void session.release().then(() => port.close());
      return;
    }
    if (request.parameters) parameters = request.parameters;
    session.run(request.batch, parameters).then(
      ({ lossSum, gradients }) => post({ kind: 'result', id: request.id, lossSum, gradients }),
      (error: Error) => post({ kind: 'error', id: request.id, message: error.message }),
    );
  });
  post({ kind: 'ready' });
} catch (error) {
  post({ kind: 'error', id: -1, message: (error as Error).message });
}
