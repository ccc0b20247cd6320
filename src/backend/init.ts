// Loads the chosen TF.js backend once per process, installs lca's kernel replacements, and says what ran.

import { createRequire } from 'node:module';

import * as tf from '@tensorflow/tfjs';

import { LcaError } from '../errors.js';
import { replaceBatchNormGradient } from './kernels/batch_norm_grad.js';
import { replaceKernels } from './kernels/index.js';
import { BACKEND_PACKAGES, ENGINE_NAMES, TFJS_AUTO_ORDER, type TfjsBackendName } from './names.js';
import { probeBackends } from './probe.js';
import { selectBackends, type ProbeResult } from './select.js';

export interface BackendInfo {
  /** The backend that actually loaded (never one that failed). */
  name: TfjsBackendName;
  /** The npm package that provides it. */
  package: string;
  version: string;
  /** Kernels (and gradients) lca registered in place of the stock ones. */
  kernelsReplaced: string[];
  /** tensorflow-gpu only: whether libtensorflow found a GPU (without one it silently runs on the CPU). */
  gpuDevice?: boolean;
}

const require = createRequire(import.meta.url);

/** A TF.js backend, or `auto`: the first of TFJS_AUTO_ORDER that loads. */
export type TfjsChoice = TfjsBackendName | 'auto';

let last: { choice: TfjsChoice; info: Promise<BackendInfo> } | undefined;
/** Which native package this process has required: both register the same 'tensorflow' backend. */
let nativeLoaded: TfjsBackendName | undefined;

/**
 * Sets up the TF.js backend `choice` (or, for `auto`, the first of tensorflow-gpu → tensorflow → wasm →
 * cpu that loads). Calling it again with the same choice returns the same result without
 * loading anything; a different choice switches the process-global backend.
 */
export async function initBackend(choice: TfjsChoice): Promise<BackendInfo> {
  if (last?.choice === choice) {
    const info = await last.info.catch(() => undefined);
    // Something may have called tf.setBackend since: then this is a fresh switch, not a repeat.
    if (info != null && tf.getBackend() === ENGINE_NAMES[info.name]) return info;
  }
  const info = initUncached(choice);
  last = { choice, info };
  // A failed attempt is not cached, so that a caller can retry or pick another backend.
  info.catch(() => {
    if (last?.info === info) last = undefined;
  });
  return info;
}

async function initUncached(choice: TfjsChoice): Promise<BackendInfo> {
  // PROD only silences tfjs's console warnings (e.g. the cpu backend's "install our node backend"
  // banner); the costly checks belong to the DEBUG flag, which is off by default.
  tf.enableProdMode();
  const probes = probeBackends(tf.version_core);
  const order = selectBackends(choice, probes, TFJS_AUTO_ORDER);
  const failures: string[] = [];
  for (const name of order) {
    try {
      return await loadBackend(name, probes[name]);
    } catch (err) {
      if (choice !== 'auto') throw err;
      failures.push(firstLine(err));
    }
  }
  throw new LcaError(`no TF.js backend could be loaded: ${failures.join('; ')}`);
}

async function loadBackend(name: TfjsBackendName, probe: ProbeResult): Promise<BackendInfo> {
  const pkg = BACKEND_PACKAGES[name];
  const engineName = ENGINE_NAMES[name];
  let version = probe.version ?? tf.version_core;
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    requireNative(name, pkg);
  } else if (name === 'wasm') {
    try {
      version = (await import('@tensorflow/tfjs-backend-wasm')).version_wasm;
    } catch (err) {
      throw new LcaError(`${pkg} failed to load: ${firstLine(err)}`);
    }
  }
  if (!(await tf.setBackend(engineName)) || tf.getBackend() !== engineName) {
    throw new LcaError(`${pkg} could not initialise the '${engineName}' TF.js backend`);
  }
  const kernelsReplaced = [...replaceKernels(engineName), ...replaceBatchNormGradient()];
  const info: BackendInfo = { name, package: pkg, version, kernelsReplaced };
  if (name === 'tensorflow-gpu') info.gpuDevice = usingGpuDevice();
  return info;
}

function requireNative(name: TfjsBackendName, pkg: string): void {
  if (nativeLoaded != null && nativeLoaded !== name) {
    throw new LcaError(
      `${pkg} cannot be loaded: ${BACKEND_PACKAGES[nativeLoaded]} already registered the 'tensorflow' backend in this process`,
    );
  }
  try {
    require(pkg);
  } catch (err) {
    throw new LcaError(`${pkg} failed to load: ${firstLine(err)}`);
  }
  nativeLoaded = name;
  if (tf.findBackendFactory('tensorflow') == null) {
    // It registered into a second copy of tfjs-core, which this process's tf never sees.
    throw new LcaError(`${pkg} loaded but registered its backend with another copy of @tensorflow/tfjs-core`);
  }
}

function usingGpuDevice(): boolean {
  const backend = tf.backend() as { isUsingGpuDevice?: boolean };
  return backend.isUsingGpuDevice === true;
}

/** Error messages become one line: the CLI prints them as such (native load errors span many). */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
