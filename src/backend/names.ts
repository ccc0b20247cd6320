// The backends lca can run on, as one `as const` list that feeds the type, the CLI choices and the help
// text: two engines (ONNX Runtime with its CUDA or CPU provider, and TF.js on its four backends).
import os from 'node:os';

export const BACKEND_CHOICES = ['auto', 'onnxruntime-cuda', 'tensorflow-gpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

export const ORT_BACKENDS = ['onnxruntime-cuda', 'onnxruntime'] as const;
export type OrtBackendName = (typeof ORT_BACKENDS)[number];
export type TfjsBackendName = Exclude<BackendName, OrtBackendName>;
export type Engine = 'onnxruntime' | 'tfjs';

/** What `auto` tries, fastest first: GPUs, then native CPU code (ort-probe.md, tfjs-probe.md §4–5), then wasm and pure JS. */
export const AUTO_ORDER: readonly BackendName[] = ['onnxruntime-cuda', 'tensorflow-gpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu'];

export const isOrtBackend = (name: BackendName): name is OrtBackendName => (ORT_BACKENDS as readonly string[]).includes(name);
export const engineOf = (name: BackendName): Engine => (isOrtBackend(name) ? 'onnxruntime' : 'tfjs');

/** The TF.js part of AUTO_ORDER, what `initBackend('auto')` tries. */
export const TFJS_AUTO_ORDER: readonly TfjsBackendName[] = AUTO_ORDER.filter((name): name is TfjsBackendName => !isOrtBackend(name));

/** ONNX Runtime's execution provider behind each ORT backend. */
export const ORT_PROVIDERS: Readonly<Record<OrtBackendName, 'cuda' | 'cpu'>> = { 'onnxruntime-cuda': 'cuda', onnxruntime: 'cpu' };

/** The npm package that provides each backend (cpu is built into @tensorflow/tfjs). */
export const BACKEND_PACKAGES: Readonly<Record<BackendName, string>> = {
  'onnxruntime-cuda': 'onnxruntime-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  onnxruntime: 'onnxruntime-node',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
};

/** The name each TF.js backend registers in the tfjs engine: both native packages register 'tensorflow'. */
export const ENGINE_NAMES: Readonly<Record<TfjsBackendName, string>> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

export function isBackendChoice(value: string): value is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(value);
}

/**
 * `--threads`: intra-op threads of each ONNX Runtime CPU session, by default the cores divided among the
 * `sessions` (those of every `--workers` process, for the parent that starts them).
 */
export const resolveThreads = (requested?: number, sessions = 1): number => requested ?? Math.max(1, Math.floor(os.availableParallelism() / sessions));

/** The backend that ran, as recorded in the manifest (`backend`) and in every part (`lca.backend`). */
export interface RunningBackend {
  engine: Engine;
  name: BackendName;
  package: string;
  version: string;
  /** ONNX Runtime: the execution provider and each session's intra-op threads. */
  provider?: 'cuda' | 'cpu';
  threads?: number;
  /** ONNX Runtime CPU: sessions evaluating batches at once, where more than one. */
  sessions?: number;
}

/**
 * One phrase naming engine, backend, provider, sessions and threads ("onnxruntime 1.30.0 (cpu, 2 threads)",
 * "(cpu, 2 sessions × 1 thread)"); older records carry only a name.
 */
export function describeBackend(backend: { name?: string; engine?: string; version?: string; provider?: string; threads?: number; sessions?: number }): string {
  if (backend.name == null) return 'unknown';
  if (backend.engine === 'onnxruntime') {
    const sessions = backend.sessions != null && backend.sessions > 1 ? ` ${backend.sessions} sessions ×` : '';
    const threads = backend.provider === 'cpu' && backend.threads != null ? `,${sessions} ${backend.threads} thread${backend.threads === 1 ? '' : 's'}` : '';
    return `onnxruntime ${backend.version ?? 'unknown'} (${backend.provider ?? 'cpu'}${threads})`;
  }
  return backend.engine === 'tfjs' ? `tfjs ${backend.name} ${backend.version ?? 'unknown'}` : backend.name;
}
