// `lca data fetch`: downloads a dataset's published files, checks their digests and installs them,
// all or nothing, in the folder its loader reads; what is already there and checks out is kept.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExistsError, InputError, LcaError, UsageError } from '../errors.js';
import type { Reporter } from './reporter.js';
import type { DataDirChoice } from '../data/data-dir.js';
import { algorithmOf } from '../data/fetch/checksum.js';
import { downloadTo } from '../data/fetch/download.js';
import { checkFiles, checkFolder, writeSums, type FolderState } from '../data/fetch/present.js';
import { SOURCES, checksumOverrides, fetchTarget, type DatasetSource, type FetchDataset, type SourceFile } from '../data/fetch/sources.js';
import { closeStaging, ensureDir, openStaging } from '../data/fetch/staging.js';
import { extractTarGz } from '../data/fetch/tar.js';

export interface FetchOptions {
  name: FetchDataset;
  /** `--dir`; else the loader's own choice: LCA_DATA_DIR, then the dataset's standard folder. */
  dir?: string;
  /** A base URL that replaces the published mirrors (a local mirror, a proxy). */
  mirror?: string;
  /** Download again even what is present and checks out. */
  force?: boolean;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  /** Digests by file name that replace the published ones (default: the file named by LCA_FETCH_CHECKSUMS). */
  checksums?: Record<string, string>;
  idleTimeoutMs?: number;
}

export interface FetchResult {
  dir: string;
  origin: DataDirChoice['origin'];
  /** Files (or, for an archive, the folder) downloaded and installed by this call. */
  downloaded: string[];
  /** Already present and verified, so not downloaded. */
  kept: string[];
}

export async function fetchDataset(opts: FetchOptions): Promise<FetchResult> {
  const source = SOURCES[opts.name];
  const overrides = opts.checksums ?? checksumOverrides(opts.env);
  const files: SourceFile[] = source.files.map((f) => {
    const raw = f.rawDigest === undefined ? undefined : (overrides[f.name.replace(/\.gz$/, '')] ?? f.rawDigest).toLowerCase();
    return { name: f.name, digest: (overrides[f.name] ?? f.digest).toLowerCase(), rawDigest: raw };
  });
  for (const f of files) [f.digest, f.rawDigest ?? f.digest].forEach(algorithmOf);
  const mirrors = opts.mirror === undefined ? source.mirrors : [mirrorBase(opts.mirror)];
  const target = fetchTarget(opts.name, opts.dir, opts.env);
  const plan = source.extract === undefined ? await planFiles(opts, target.dir, files) : await planArchive(opts, target.dir, source, files);
  const result: FetchResult = { dir: target.dir, origin: target.origin, downloaded: [], kept: plan.kept };
  if (plan.todo.length === 0) return result;

  const created = ensureDir(target.dir);
  const staging = openStaging(target.dir);
  try {
    const paths: string[] = [];
    for (const file of plan.todo) paths.push(await downloadOne(opts, file, mirrors, staging));
    if (source.extract === undefined) {
      // Every file checked before any is installed: the folder gets the whole set or nothing new.
      plan.todo.forEach((file, i) => renameSync(paths[i], join(target.dir, file.name)));
      result.downloaded = plan.todo.map((f) => f.name);
    } else {
      await installArchive(opts, source.extract, paths[0], plan.todo[0], staging, target.dir);
      result.downloaded = [source.extract.folder];
    }
  } finally {
    closeStaging(staging, target.dir, created);
  }
  return result;
}

interface Plan {
  todo: SourceFile[];
  kept: string[];
}

async function planFiles(opts: FetchOptions, dir: string, files: SourceFile[]): Promise<Plan> {
  const check = await checkFiles(dir, files);
  for (const plain of check.strayPlain) opts.reporter.warn(`${plain} is not the published data, and the loader reads it before ${plain}.gz`);
  if (opts.force === true) return { todo: files, kept: [] };
  const wrong = check.wrong[0];
  if (wrong !== undefined) {
    const others = check.wrong.length > 1 ? ` (and ${check.wrong.length - 1} more)` : '';
    throw new ExistsError(
      `${opts.name}: ${join(dir, wrong.file.name)} exists but its ${algorithmOf(wrong.file.digest)} is ${wrong.actual}, ` +
        `expected ${wrong.file.digest}${others}; pass --force to replace it`,
    );
  }
  return { todo: check.missing, kept: check.ok.map((f) => f.name) };
}

async function planArchive(opts: FetchOptions, dir: string, source: DatasetSource, files: SourceFile[]): Promise<Plan> {
  const { folder, members } = source.extract!;
  let where = join(dir, folder);
  let state: FolderState = await checkFolder(where, members);
  // The loader also reads the files straight from `dir` (extracted by hand without the folder).
  if (state.state === 'absent' && existsSync(join(dir, members[0]))) {
    where = dir;
    state = await checkFolder(dir, members);
  }
  if (opts.force === true || state.state === 'absent') return { todo: files, kept: [] };
  if (state.state === 'bad') throw new ExistsError(`${opts.name}: ${where}: ${state.problem}; pass --force to download it again`);
  if (state.state === 'unverified') {
    opts.reporter.warn(`${opts.name}: ${where} holds the files but no SHA256SUMS (lca did not extract them), so they were not checked; --force downloads them again`);
  }
  return { todo: [], kept: [folder] };
}

async function installArchive(
  opts: FetchOptions, extract: NonNullable<DatasetSource['extract']>, archive: string, file: SourceFile, staging: string, dir: string,
): Promise<void> {
  const into = join(staging, 'extracted');
  await extractTarGz(archive, into, file.name);
  rmSync(archive); // as big again as the data: not kept
  const folder = join(into, extract.folder);
  const missing = extract.members.filter((m) => !existsSync(join(folder, m)));
  if (missing.length > 0) throw new InputError(`${opts.name}: ${file.name} lacks ${missing.map((m) => `${extract.folder}/${m}`).join(', ')}`);
  await writeSums(folder);
  const dest = join(dir, extract.folder);
  // A folder cannot be renamed over another: the old one moves into staging and goes with it.
  if (existsSync(dest)) renameSync(dest, join(staging, 'replaced'));
  renameSync(folder, dest);
}

/** Tries each mirror in turn; returns the path of the checked file in staging. */
async function downloadOne(opts: FetchOptions, file: SourceFile, mirrors: readonly string[], staging: string): Promise<string> {
  const dest = join(staging, file.name);
  const failures: Error[] = [];
  for (const [i, base] of mirrors.entries()) {
    const url = new URL(file.name, base).href;
    try {
      const got = await withProgress(opts.reporter, file.name, (onProgress) => downloadTo(url, dest, { digestLike: file.digest, onProgress, idleTimeoutMs: opts.idleTimeoutMs }));
      const algorithm = algorithmOf(file.digest);
      if (got.digest !== file.digest) {
        rmSync(dest, { force: true });
        throw new InputError(`${opts.name}: ${file.name} from ${url}: ${algorithm} mismatch: expected ${file.digest}, got ${got.digest}`);
      }
      opts.reporter.info(`downloaded ${file.name}`, { url, bytes: got.bytes, [algorithm]: got.digest });
      return dest;
    } catch (err) {
      if (!(err instanceof LcaError || err instanceof InputError)) throw err;
      const failure = err instanceof LcaError ? new LcaError(`${opts.name}: ${err.message}`) : err;
      failures.push(failure);
      if (i + 1 < mirrors.length) opts.reporter.warn(`${failure.message}; trying the next mirror`);
    }
  }
  if (failures.length === 1) throw failures[0];
  const Kind = failures.every((f) => f instanceof InputError) ? InputError : LcaError;
  throw new Kind(`${opts.name}: ${file.name}: no mirror worked: ${failures.map((f) => f.message.replace(`${opts.name}: `, '')).join('; ')}`);
}

// The progress line counts MiB, redrawn only when the count changes.
async function withProgress<T>(reporter: Reporter, name: string, run: (onProgress: (bytes: number, total?: number) => void) => Promise<T>): Promise<T> {
  const progress = reporter.progress(`downloading ${name}`, 'MiB');
  let shown = -1;
  try {
    return await run((bytes, total) => {
      const mib = Math.floor(bytes / 2 ** 20);
      if (mib === shown) return;
      shown = mib;
      progress.update(mib, Math.ceil(Math.max(bytes, total ?? 0) / 2 ** 20));
    });
  } finally {
    progress.stop();
  }
}

/** `--mirror`: an http(s) base URL that the file names are appended to. */
function mirrorBase(mirror: string): string {
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    throw new UsageError(`--mirror ${mirror}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--mirror ${mirror}: only http and https are supported`);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}
