// Finds out, without loading anything, whether each backend's package is installed and usable
// (ONNX Runtime's own checks are in probe-ort.ts).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { BACKEND_PACKAGES, type BackendName } from './names.js';
import { probeOrt, probeOrtCuda } from './probe-ort.js';
import type { ProbeResult, ProbeResults } from './select.js';

/** Why each native package may be missing: both install scripts download libtensorflow 2.9.1. */
const NATIVE_NEEDS: Readonly<Record<string, string>> = {
  '@tensorflow/tfjs-node-gpu': 'its install script downloads libtensorflow (CUDA 11.2/cuDNN 8.1)',
  '@tensorflow/tfjs-node': 'its install script downloads libtensorflow',
};

/** The directory of the installed package `pkg`, found from its resolved entry point; undefined if absent. */
export function findPackageRoot(pkg: string, from: string = import.meta.url): string | undefined {
  let entry: string;
  try {
    entry = createRequire(from).resolve(pkg);
  } catch {
    return undefined;
  }
  // Walk up from the entry file to the package.json that names `pkg`.
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readManifest(manifest).name === pkg) return dir;
  }
  return undefined;
}

export function readManifest(path: string): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
  } catch {
    return {};
  }
}

// The native addon lib/napi-v<N>/tfjs_binding.node, or undefined when the install script never fetched it.
export function findBinding(root: string): string | undefined {
  const lib = join(root, 'lib');
  if (!existsSync(lib)) return undefined;
  for (const dir of readdirSync(lib).filter((d) => /^napi-v\d+$/.test(d)).sort().reverse()) {
    const binding = join(lib, dir, 'tfjs_binding.node');
    if (existsSync(binding)) return binding;
  }
  return undefined;
}

/**
 * Probes @tensorflow/tfjs-node(-gpu). The binding file is checked here, before any require,
 * because a require that fails on a missing binding has already registered ~200 kernels for
 * 'tensorflow', and the other package then warns about each one (tfjs-probe.md §1).
 */
export function probeNative(pkg: string, coreVersion: string, from: string = import.meta.url): ProbeResult {
  const root = findPackageRoot(pkg, from);
  if (root == null) {
    const needs = NATIVE_NEEDS[pkg] ?? 'it is an optional dependency';
    return {
      available: false,
      reason: `${pkg} is not installed: ${needs}; run \`npm install ${pkg}\` where the internet is reachable`,
    };
  }
  const version = readManifest(join(root, 'package.json')).version ?? 'unknown';
  if (findBinding(root) == null) {
    return {
      available: false,
      version,
      reason:
        `${pkg} is installed but lib/napi-v*/tfjs_binding.node is missing (its install script could not ` +
        `download libtensorflow); run \`npm rebuild ${pkg}\` where the internet is reachable`,
    };
  }
  if (version !== coreVersion) {
    // A different version brings its own tfjs-core, and the backend registers in that engine.
    return {
      available: false,
      version,
      reason: `${pkg} ${version} does not match @tensorflow/tfjs ${coreVersion}; run \`npm install ${pkg}@${coreVersion}\``,
    };
  }
  return { available: true, version };
}

/** Probes the wasm package: installed, with its .wasm binaries next to the JS. */
export function probeWasm(from: string = import.meta.url): ProbeResult {
  const pkg = BACKEND_PACKAGES.wasm;
  const root = findPackageRoot(pkg, from);
  if (root == null) {
    return { available: false, reason: `${pkg} is not installed; run \`npm install ${pkg}\`` };
  }
  const version = readManifest(join(root, 'package.json')).version ?? 'unknown';
  if (!existsSync(join(root, 'dist', 'tfjs-backend-wasm.wasm'))) {
    return { available: false, version, reason: `${pkg} is installed but dist/tfjs-backend-wasm.wasm is missing; reinstall it` };
  }
  return { available: true, version };
}

/** Probes every backend. cpu is part of @tensorflow/tfjs and always available. */
export function probeBackends(coreVersion: string): ProbeResults {
  const results: Record<BackendName, ProbeResult> = {
    'onnxruntime-cuda': probeOrtCuda(),
    onnxruntime: probeOrt(),
    'tensorflow-gpu': probeNative(BACKEND_PACKAGES['tensorflow-gpu'], coreVersion),
    tensorflow: probeNative(BACKEND_PACKAGES.tensorflow, coreVersion),
    wasm: probeWasm(),
    cpu: { available: true, version: coreVersion },
  };
  return results;
}
