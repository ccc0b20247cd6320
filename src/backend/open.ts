// Chooses the backend a job runs on, across both engines: the probes narrow `--backend` to candidates
// (auto: onnxruntime-cuda → tensorflow-gpu → onnxruntime → tensorflow → wasm → cpu), and the job's own
// `open` (its objective or gradient session) is what proves a candidate loads; under auto a candidate that
// fails is logged and the next one tried. What ran is described once, for the log, the manifest and parts.

import * as tf from '@tensorflow/tfjs';

import { ExistsError, InputError, LcaError, UsageError } from '../errors.js';
import { firstLine, initBackend } from './init.js';
import { AUTO_ORDER, BACKEND_PACKAGES, engineOf, isOrtBackend, ORT_PROVIDERS, resolveThreads, type BackendChoice, type BackendName, type Engine, type RunningBackend } from './names.js';
import { probeBackends } from './probe.js';
import { selectBackends, skippedBackends, type ProbeResults } from './select.js';

export interface OpenOptions<T> {
  threads?: number;
  /** `--sessions`: ONNX Runtime CPU sessions evaluating batches at once (default 1). */
  sessions?: number;
  /** Builds what the job runs on `backend` (TF.js is already initialised when it is called). */
  open: (backend: RunningBackend) => Promise<T>;
  log: { info: (message: string) => void; warn: (message: string) => void; debug: (message: string) => void };
  /** Tests pass fake probes; otherwise every backend is probed. */
  probes?: ProbeResults;
  /** The engines the job can run on (default both). */
  engines?: readonly Engine[];
}

export async function openBackend<T>(choice: BackendChoice, options: OpenOptions<T>): Promise<{ backend: RunningBackend; value: T }> {
  const engines = options.engines ?? ['onnxruntime', 'tfjs'];
  if (choice !== 'auto' && !engines.includes(engineOf(choice))) {
    throw new UsageError(`--backend ${choice}: this command runs on ${engines.join(' or ')} only`);
  }
  const probes = options.probes ?? probeBackends(tf.version_core);
  const order = AUTO_ORDER.filter((name) => engines.includes(engineOf(name)));
  const candidates = selectBackends(choice, probes, order);
  const { log } = options;
  if (choice === 'auto') {
    // Passing over the GPU provider is worth a line; a missing optional TF.js package is not.
    for (const line of skippedBackends(probes, candidates[0], order)) (line.startsWith('onnxruntime-cuda') ? log.info : log.debug)(`backend ${line}`);
  }
  const failures: string[] = [];
  const sessions = options.sessions ?? 1;
  for (const name of candidates) {
    try {
      const backend = isOrtBackend(name) ? ortBackend(name, probes, options.threads, sessions, log) : await tfjsBackend(name, sessions, log);
      return { backend, value: await options.open(backend) };
    } catch (err) {
      // A session that will not start (a provider library that will not load) and a TF.js backend that
      // will not initialise are reasons to fall back; the user's errors (flags, files) are the job's.
      const userError = err instanceof UsageError || err instanceof InputError || err instanceof ExistsError;
      const loadFailure = err instanceof BackendLoadError || (isOrtBackend(name) && !userError);
      if (!loadFailure) throw err;
      if (choice !== 'auto') throw err instanceof LcaError ? err : new LcaError(`${name} could not start: ${firstLine(err)}`);
      const reason = `${name} could not start: ${firstLine(err)}`;
      failures.push(reason);
      const next = candidates[candidates.indexOf(name) + 1];
      log.warn(next ? `${reason}; falling back to ${next}` : reason);
    }
  }
  throw new LcaError(`no backend could start: ${failures.join('; ')}`);
}

class BackendLoadError extends LcaError {}

/** An ONNX Runtime backend: its provider, and on the CPU its sessions and each one's threads (one session on CUDA). */
function ortBackend(name: 'onnxruntime' | 'onnxruntime-cuda', probes: ProbeResults, threads: number | undefined, sessions: number, log: OpenOptions<unknown>['log']): RunningBackend {
  const provider = ORT_PROVIDERS[name];
  if (provider === 'cuda' && sessions > 1) log.info(`--sessions ${sessions}: ONNX Runtime's CUDA provider runs one session`);
  const cpuSessions = provider === 'cpu' && sessions > 1 ? sessions : undefined;
  return { engine: 'onnxruntime', name, package: BACKEND_PACKAGES[name], version: probes[name].version ?? 'unknown', provider, threads: resolveThreads(threads, cpuSessions), ...(cpuSessions ? { sessions: cpuSessions } : {}) };
}

async function tfjsBackend(name: Exclude<BackendName, 'onnxruntime' | 'onnxruntime-cuda'>, sessions: number, log: OpenOptions<unknown>['log']): Promise<RunningBackend> {
  if (sessions > 1) log.info(`--sessions ${sessions}: TF.js (${name}) evaluates one batch at a time`);
  try {
    const info = await initBackend(name);
    return { engine: 'tfjs', name: info.name, package: info.package, version: info.version };
  } catch (err) {
    throw new BackendLoadError(firstLine(err));
  }
}
