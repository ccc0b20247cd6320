// ONNX Runtime's probes on fake node_modules trees and library folders (no GPU here: the CUDA provider's
// selection and errors are tested, never its running), and openBackend's fall-back across engines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

import { LcaError, UsageError } from '../src/errors.js';
import { describeBackend, resolveThreads, type RunningBackend } from '../src/backend/names.js';
import { openBackend } from '../src/backend/open.js';
import {
  CUDA_INSTALL_COMMAND, CUDA_LIBRARIES, CUDA_PROVIDER_FILES, missingCudaLibraries, ortBinDir, parseLdconfig, probeOrt, probeOrtCuda,
} from '../src/backend/probe-ort.js';
import type { ProbeResults } from '../src/backend/select.js';

const BIN = 'bin/napi-v6/linux/x64';

/** A throwaway project with node_modules/onnxruntime-node holding `files`, and a library folder holding `libs`. */
function fakeTree(files: string[], libs: string[] = []): { dir: string; from: string; libDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lca-ort-probe-'));
  const root = join(dir, 'node_modules', 'onnxruntime-node');
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'onnxruntime-node', version: '1.30.0', main: 'dist/index.js' }));
  writeFileSync(join(root, 'dist', 'index.js'), 'throw new Error("the probe must not require the package")');
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  const libDir = join(dir, 'cuda-libs');
  mkdirSync(libDir);
  for (const lib of libs) writeFileSync(join(libDir, lib), '');
  return { dir, from: join(dir, 'index.js'), libDir };
}

const ALL_CUDA = CUDA_LIBRARIES.map((l) => l.soname);
const withProvider = [`${BIN}/onnxruntime_binding.node`, ...CUDA_PROVIDER_FILES.map((f) => `${BIN}/${f}`)];

test('the installed onnxruntime-node has CPU binaries for this machine', () => {
  const probe = probeOrt();
  assert.deepEqual(probe, { available: true, version: '1.30.0' });
});

test('onnxruntime-node missing, or without binaries for the platform, is unavailable with a reason', () => {
  const empty = mkdtempSync(join(tmpdir(), 'lca-ort-probe-'));
  const { dir, from } = fakeTree([]);
  try {
    assert.match(probeOrt(join(empty, 'index.js')).reason ?? '', /^onnxruntime-node is not installed; run `npm ci`$/);
    assert.match(probeOrt(from, 'linux', 'x64').reason ?? '', /^onnxruntime-node 1\.30\.0 has no binaries for linux\/x64 \(.*onnxruntime_binding\.node is missing\)$/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the provider libraries, the CUDA probe names the missing files and the one command that adds them', () => {
  const { dir, from, libDir } = fakeTree([`${BIN}/onnxruntime_binding.node`, `${BIN}/libonnxruntime_providers_shared.so`], ALL_CUDA);
  try {
    const probe = probeOrtCuda(from, () => ({ dirs: [libDir], cached: new Set() }), 'linux', 'x64');
    assert.equal(probe.available, false);
    assert.equal(probe.reason,
      `ONNX Runtime's CUDA provider is not installed (libonnxruntime_providers_cuda.so missing in ${join(dir, 'node_modules/onnxruntime-node', BIN)}); ` +
      'run `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` where the internet is reachable');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with the provider but not every CUDA 12 / cuDNN 9 library, the probe names exactly the missing ones', () => {
  const { dir, from, libDir } = fakeTree(withProvider, ALL_CUDA.filter((l) => l !== 'libcudnn.so.9' && l !== 'libcublasLt.so.12'));
  try {
    const probe = probeOrtCuda(from, () => ({ dirs: [libDir], cached: new Set() }), 'linux', 'x64');
    assert.equal(probe.available, false);
    assert.match(probe.reason ?? '', /needs CUDA 12 and cuDNN 9, and the dynamic linker finds no libcublasLt\.so\.12 \(cuBLASLt 12\), libcudnn\.so\.9 \(cuDNN 9\) \(searched/);
    assert.ok(!(probe.reason ?? '').includes('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CUDA probe passes when the libraries are in a searched folder or in the ld.so cache', () => {
  const { dir, from, libDir } = fakeTree(withProvider, ALL_CUDA.slice(0, 3));
  try {
    const cached = new Set(ALL_CUDA.slice(3));
    assert.deepEqual(probeOrtCuda(from, () => ({ dirs: ['/nonexistent', libDir], cached }), 'linux', 'x64'), { available: true, version: '1.30.0' });
    assert.match(probeOrtCuda(from, () => ({ dirs: [libDir], cached }), 'darwin', 'arm64').reason ?? '', /has no binaries for darwin\/arm64/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('this machine has no CUDA provider installed, and says so', () => {
  const probe = probeOrtCuda();
  assert.equal(probe.available, false);
  assert.match(probe.reason ?? '', /CUDA provider is not installed|finds no|linux\/x64 only/);
});

test('ldconfig -p lines give the cached sonames; a folder search checks each soname', () => {
  const text = '1234 libs found in cache `/etc/ld.so.cache\'\n\tlibcudnn.so.9 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.9\n\tlibm.so.6 (libc6,x86-64) => /lib/libm.so.6\n';
  assert.deepEqual([...parseLdconfig(text)], ['libcudnn.so.9', 'libm.so.6']);
  const missing = missingCudaLibraries({ dirs: ['/a'], cached: new Set(['libcudnn.so.9']) }, (p) => p === '/a/libcuda.so.1');
  assert.deepEqual(missing, ['libcudart.so.12 (CUDA 12 runtime)', 'libcublas.so.12 (cuBLAS 12)', 'libcublasLt.so.12 (cuBLASLt 12)', 'libcurand.so.10 (cuRAND of CUDA 12)', 'libcufft.so.11 (cuFFT of CUDA 12)']);
  assert.equal(ortBinDir('/x', 'linux', 'x64'), '/x/bin/napi-v6/linux/x64');
});

test('the documented install command sets the variable onnxruntime-node\'s installer reads before the .npmrc skip', () => {
  const require = createRequire(import.meta.url);
  const utils = require('onnxruntime-node/script/install-utils.js') as { parseInstallFlag: () => unknown };
  const saved = { ...process.env };
  try {
    process.env.npm_config_onnxruntime_node_install = 'skip'; // what the project's .npmrc sets for install scripts
    delete process.env.ONNXRUNTIME_NODE_INSTALL;
    assert.equal(utils.parseInstallFlag(), false, 'npm ci skips the download');
    const [assignment] = CUDA_INSTALL_COMMAND.split(' ');
    const [name, value] = assignment.split('=');
    process.env[name] = value;
    // 1.30's parser returns undefined for 'cuda12' (no skip): install.js then fetches linux/x64's default, the cuda12 files.
    assert.notEqual(utils.parseInstallFlag(), false, 'the command overrides the skip');
  } finally {
    process.env = saved;
  }
});

const up = (version = '1') => ({ available: true, version });
const down = (reason: string) => ({ available: false, reason });
const fakeProbes = (over: Partial<ProbeResults> = {}): ProbeResults => ({
  'onnxruntime-cuda': up('1.30.0'), onnxruntime: up('1.30.0'), 'tensorflow-gpu': down('no gpu pkg'), tensorflow: down('no node pkg'), wasm: up('4.22.0'), cpu: up('4.22.0'), ...over,
});
const collect = () => {
  const lines: { level: string; message: string }[] = [];
  return { lines, log: { info: (m: string) => lines.push({ level: 'info', message: m }), warn: (m: string) => lines.push({ level: 'warn', message: m }), debug: (m: string) => lines.push({ level: 'debug', message: m }) } };
};

test('auto: a CUDA session the engine cannot start (its LcaError) also falls back', async () => {
  const { lines, log } = collect();
  const { backend } = await openBackend('auto', {
    probes: fakeProbes(), log,
    open: async (b: RunningBackend) => {
      if (b.provider === 'cuda') throw new LcaError('ONNX Runtime\'s CUDA provider cannot start (CUDA failure 100)');
      return 1;
    },
  });
  assert.equal(backend.name, 'onnxruntime');
  assert.match(lines[0].message, /^onnxruntime-cuda could not start: ONNX Runtime's CUDA provider cannot start \(CUDA failure 100\); falling back to onnxruntime$/);
});

test('auto: a CUDA provider that fails to start falls back to ORT CPU, saying so in the log', async () => {
  const { lines, log } = collect();
  const tried: string[] = [];
  const { backend, value } = await openBackend('auto', {
    probes: fakeProbes(), threads: 3, log,
    open: async (b: RunningBackend) => {
      tried.push(b.name);
      if (b.provider === 'cuda') throw new Error('Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file\nmore');
      return 'objective';
    },
  });
  assert.deepEqual(tried, ['onnxruntime-cuda', 'onnxruntime']);
  assert.equal(value, 'objective');
  assert.deepEqual(backend, { engine: 'onnxruntime', name: 'onnxruntime', package: 'onnxruntime-node', version: '1.30.0', provider: 'cpu', threads: 3 });
  assert.deepEqual(lines, [{ level: 'warn', message: 'onnxruntime-cuda could not start: Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file; falling back to onnxruntime' }]);
});

test('auto: an unavailable CUDA provider is passed over with its reason logged; TF.js follows when ORT cannot start', async () => {
  const { lines, log } = collect();
  const { backend } = await openBackend('auto', {
    probes: fakeProbes({ 'onnxruntime-cuda': down('CUDA provider is not installed') }), log,
    open: async (b: RunningBackend) => {
      if (b.engine === 'onnxruntime') throw new Error('session failed');
      return b.name;
    },
  });
  assert.equal(backend.name, 'wasm');
  assert.equal(backend.engine, 'tfjs');
  assert.deepEqual(lines.map((l) => l.level), ['info', 'debug', 'warn']);
  assert.equal(lines[0].message, 'backend onnxruntime-cuda: CUDA provider is not installed');
  assert.equal(lines[2].message, 'onnxruntime could not start: session failed; falling back to wasm');
});

test('an explicit ORT choice that cannot start is a one-line LcaError; lca\'s own errors pass through untouched', async () => {
  const { log } = collect();
  await assert.rejects(openBackend('onnxruntime-cuda', { probes: fakeProbes(), log, open: async () => { throw new Error('CUDA failure 100: no CUDA-capable device is detected\n at …'); } }),
    new LcaError('onnxruntime-cuda could not start: CUDA failure 100: no CUDA-capable device is detected'));
  await assert.rejects(openBackend('onnxruntime-cuda', { probes: fakeProbes({ 'onnxruntime-cuda': down('provider missing') }), log, open: async () => 1 }), new LcaError('provider missing'));
  const engineError = new LcaError('ONNX Runtime\'s CUDA provider cannot start (no device)');
  await assert.rejects(openBackend('onnxruntime-cuda', { probes: fakeProbes(), log, open: async () => { throw engineError; } }), (err) => err === engineError);
  const usage = new UsageError('--eval-batch-size: bad');
  await assert.rejects(openBackend('auto', { probes: fakeProbes(), log, open: async () => { throw usage; } }), (err) => err === usage);
});

test('--sessions: the CPU backend records them and divides the cores among them; CUDA and TF.js run one and say so', async () => {
  const { log, lines } = collect();
  const cpu = await openBackend('onnxruntime', { probes: fakeProbes(), log, sessions: 2, open: async () => 1 });
  assert.equal(cpu.backend.sessions, 2);
  assert.equal(cpu.backend.threads, resolveThreads(undefined, 2));
  const single = await openBackend('onnxruntime', { probes: fakeProbes(), log, sessions: 1, open: async () => 1 });
  assert.equal(single.backend.sessions, undefined, 'one session is the plain backend');
  const cuda = await openBackend('onnxruntime-cuda', { probes: fakeProbes(), log, sessions: 2, open: async () => 1 });
  assert.equal(cuda.backend.sessions, undefined);
  assert.deepEqual(lines, [{ level: 'info', message: "--sessions 2: ONNX Runtime's CUDA provider runs one session" }]);
  lines.length = 0;
  const tfjs = await openBackend('cpu', { probes: fakeProbes(), log, sessions: 2, open: async () => 1 });
  assert.equal(tfjs.backend.sessions, undefined);
  assert.deepEqual(lines, [{ level: 'info', message: '--sessions 2: TF.js (cpu) evaluates one batch at a time' }]);
});

test('a command limited to one engine refuses the other by name', async () => {
  const { log } = collect();
  await assert.rejects(openBackend('onnxruntime', { probes: fakeProbes(), log, engines: ['tfjs'], open: async () => 1 }), /^UsageError: --backend onnxruntime: this command runs on tfjs only$/);
  const { backend } = await openBackend('auto', { probes: fakeProbes(), log, engines: ['tfjs'], open: async () => 1 });
  assert.equal(backend.name, 'wasm');
});

test('threads default to the machine\'s cores, divided among the sessions; the description names engine, provider, sessions and threads', () => {
  assert.equal(resolveThreads(), os.availableParallelism());
  assert.equal(resolveThreads(1), 1);
  assert.equal(resolveThreads(undefined, 2), Math.max(1, Math.floor(os.availableParallelism() / 2)));
  assert.equal(resolveThreads(undefined, 4 * os.availableParallelism()), 1, 'at least one thread a session');
  assert.equal(resolveThreads(3, 2), 3, '--threads is per session');
  assert.equal(describeBackend({ engine: 'onnxruntime', name: 'onnxruntime', version: '1.30.0', provider: 'cpu', threads: 2 }), 'onnxruntime 1.30.0 (cpu, 2 threads)');
  assert.equal(describeBackend({ engine: 'onnxruntime', name: 'onnxruntime', version: '1.30.0', provider: 'cpu', threads: 1, sessions: 2 }), 'onnxruntime 1.30.0 (cpu, 2 sessions × 1 thread)');
  assert.equal(describeBackend({ engine: 'onnxruntime', name: 'onnxruntime-cuda', version: '1.30.0', provider: 'cuda', threads: 2 }), 'onnxruntime 1.30.0 (cuda)');
  assert.equal(describeBackend({ engine: 'tfjs', name: 'wasm', version: '4.22.0' }), 'tfjs wasm 4.22.0');
  assert.equal(describeBackend({ name: 'wasm', version: '4.22.0' }), 'wasm', 'a record written before engines were named');
  assert.equal(describeBackend({}), 'unknown');
});
