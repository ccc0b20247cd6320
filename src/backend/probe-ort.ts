// Finds out, without loading anything, whether onnxruntime-node can run here and whether its CUDA
// provider could: the provider's libraries in the package's bin folder (an install-time download the
// project's .npmrc skips) and the CUDA 12 / cuDNN 9 libraries they link against, found where the dynamic linker looks.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { findPackageRoot, readManifest } from './probe.js';
import type { ProbeResult } from './select.js';

export const ORT_PACKAGE = 'onnxruntime-node';

/** The one command that adds the CUDA provider (onnxruntime-node's script/install.js reads this variable first). */
export const CUDA_INSTALL_COMMAND = 'ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node';

/** The provider's own files, next to the binding (script/install-metadata.js, linux/x64:cuda12). */
export const CUDA_PROVIDER_FILES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'];

/** What ORT 1.30's CUDA provider links against (CUDA 12.x, cuDNN 9.x), and what each one is. */
export const CUDA_LIBRARIES: readonly { soname: string; what: string }[] = [
  { soname: 'libcuda.so.1', what: 'the NVIDIA driver' },
  { soname: 'libcudart.so.12', what: 'CUDA 12 runtime' },
  { soname: 'libcublas.so.12', what: 'cuBLAS 12' },
  { soname: 'libcublasLt.so.12', what: 'cuBLASLt 12' },
  { soname: 'libcurand.so.10', what: 'cuRAND of CUDA 12' },
  { soname: 'libcufft.so.11', what: 'cuFFT of CUDA 12' },
  { soname: 'libcudnn.so.9', what: 'cuDNN 9' },
];

/** The folder holding the binding and libonnxruntime for this platform. */
export const ortBinDir = (root: string, platform: string = process.platform, arch: string = process.arch): string =>
  join(root, 'bin', 'napi-v6', platform, arch);

/** Where the dynamic linker finds libraries: LD_LIBRARY_PATH's folders, the ld.so cache, the default folders. */
export interface LibrarySearch {
  dirs: string[];
  cached: ReadonlySet<string>;
}

/** The sonames in `ldconfig -p` output ("\tlibcudnn.so.9 (libc6,x86-64) => /usr/lib/…"). */
export const parseLdconfig = (text: string): Set<string> =>
  new Set(text.split('\n').map((line) => /^\s+(\S+)\s+\(/.exec(line)?.[1]).filter((name): name is string => name != null));

function ldconfigCache(): Set<string> {
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    try {
      return parseLdconfig(execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    } catch { /* try the next place */ }
  }
  return new Set();
}

export function systemLibrarySearch(env: NodeJS.ProcessEnv = process.env): LibrarySearch {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter((dir) => dir.length > 0);
  const defaults = ['/lib', '/usr/lib', '/lib64', '/usr/lib64', `/lib/${process.arch === 'x64' ? 'x86_64' : 'aarch64'}-linux-gnu`, `/usr/lib/${process.arch === 'x64' ? 'x86_64' : 'aarch64'}-linux-gnu`];
  return { dirs: [...fromEnv, ...defaults], cached: ldconfigCache() };
}

/** The libraries of `CUDA_LIBRARIES` the linker would not find, named with what they are. */
export function missingCudaLibraries(search: LibrarySearch, exists: (path: string) => boolean = existsSync): string[] {
  return CUDA_LIBRARIES.filter(({ soname }) => !search.cached.has(soname) && !search.dirs.some((dir) => exists(join(dir, soname))))
    .map(({ soname, what }) => `${soname} (${what})`);
}

/** onnxruntime-node with its CPU binaries for this platform (they ship inside the npm package). */
export function probeOrt(from: string = import.meta.url, platform: string = process.platform, arch: string = process.arch): ProbeResult {
  const root = findPackageRoot(ORT_PACKAGE, from);
  if (root == null) return { available: false, reason: `${ORT_PACKAGE} is not installed; run \`npm ci\`` };
  const version = readManifest(join(root, 'package.json')).version ?? 'unknown';
  const binding = join(ortBinDir(root, platform, arch), 'onnxruntime_binding.node');
  if (!existsSync(binding)) {
    return { available: false, version, reason: `${ORT_PACKAGE} ${version} has no binaries for ${platform}/${arch} (${binding} is missing)` };
  }
  return { available: true, version };
}

/**
 * ORT's CUDA provider: onnxruntime-node usable, its provider libraries installed, and every CUDA 12 /
 * cuDNN 9 library findable. The reason names each missing file and what adds it, on one line.
 */
export function probeOrtCuda(
  from: string = import.meta.url, search: () => LibrarySearch = systemLibrarySearch,
  platform: string = process.platform, arch: string = process.arch,
): ProbeResult {
  const ort = probeOrt(from, platform, arch);
  if (!ort.available) return ort;
  const { version } = ort;
  if (platform !== 'linux' || arch !== 'x64') {
    return { available: false, version, reason: `ONNX Runtime's CUDA provider for Node is built for linux/x64 only, not ${platform}/${arch}` };
  }
  const bin = ortBinDir(findPackageRoot(ORT_PACKAGE, from)!, platform, arch);
  const absent = CUDA_PROVIDER_FILES.filter((file) => !existsSync(join(bin, file)));
  if (absent.length > 0) {
    return {
      available: false, version,
      reason: `ONNX Runtime's CUDA provider is not installed (${absent.join(', ')} missing in ${bin}); run \`${CUDA_INSTALL_COMMAND}\` where the internet is reachable`,
    };
  }
  const missing = missingCudaLibraries(search());
  if (missing.length > 0) {
    return {
      available: false, version,
      reason: `ONNX Runtime's CUDA provider needs CUDA 12 and cuDNN 9, and the dynamic linker finds no ${missing.join(', ')} (searched LD_LIBRARY_PATH, the ld.so cache and the system folders)`,
    };
  }
  return { available: true, version };
}
