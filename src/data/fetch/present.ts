// What a target folder already holds: published files checked against their digests, and extracted
// archive folders checked against the SHA256SUMS written when lca extracted them.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { algorithmOf, hashFile, hashGunzipped } from './checksum.js';
import type { SourceFile } from './sources.js';

/** `sha256sum -c SHA256SUMS` checks the folder by hand. */
export const SUMS_FILE = 'SHA256SUMS';

export interface FilesCheck {
  /** Present with the expected digest. */
  ok: SourceFile[];
  missing: SourceFile[];
  /** Present with another digest. */
  wrong: { file: SourceFile; actual: string }[];
  /** Gunzipped copies (which the loader reads first) whose content is not the published one. */
  strayPlain: string[];
}

/**
 * Each file counts as present when it has the published digest, or when its content has the published
 * content digest: gzipped again (Debian's packages) or gunzipped (the loader reads `x` before `x.gz`).
 */
export async function checkFiles(dir: string, files: readonly SourceFile[]): Promise<FilesCheck> {
  const check: FilesCheck = { ok: [], missing: [], wrong: [], strayPlain: [] };
  for (const file of files) {
    const path = join(dir, file.name);
    const raw = file.rawDigest;
    const plain = raw === undefined ? undefined : join(dir, file.name.replace(/\.gz$/, ''));
    const plainOk = plain !== undefined && existsSync(plain) ? (await hashFile(plain, algorithmOf(raw!))) === raw : undefined;
    if (plainOk === false) check.strayPlain.push(plain!);
    if (existsSync(path)) {
      const actual = await hashFile(path, algorithmOf(file.digest));
      const same = actual === file.digest || (raw !== undefined && (await hashGunzipped(path, algorithmOf(raw))) === raw);
      if (same) check.ok.push(file);
      else check.wrong.push({ file, actual });
    } else if (plainOk === true) {
      check.ok.push(file);
    } else {
      check.missing.push(file);
    }
  }
  return check;
}

export type FolderState =
  | { state: 'absent' }
  | { state: 'verified' }
  /** The members are there but no SHA256SUMS says what they should be (extracted by hand). */
  | { state: 'unverified' }
  | { state: 'bad'; problem: string };

/** An extracted folder: absent, complete and matching its SHA256SUMS, present but uncheckable, or bad. */
export async function checkFolder(folder: string, members: readonly string[]): Promise<FolderState> {
  if (!existsSync(folder)) return { state: 'absent' };
  const missing = members.filter((m) => !existsSync(join(folder, m)));
  if (missing.length > 0) return { state: 'bad', problem: `${missing.join(', ')} missing` };
  const sumsPath = join(folder, SUMS_FILE);
  if (!existsSync(sumsPath)) return { state: 'unverified' };
  for (const line of readFileSync(sumsPath, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m === null) continue;
    const path = join(folder, m[2]);
    if (!existsSync(path)) return { state: 'bad', problem: `${m[2]} missing` };
    const actual = await hashFile(path, 'sha256');
    if (actual !== m[1]) return { state: 'bad', problem: `${m[2]}: sha256 ${actual}, expected ${m[1]} (from ${SUMS_FILE})` };
  }
  return { state: 'verified' };
}

/** Records the sha256 of every file in `folder` (one level) in its SHA256SUMS. */
export async function writeSums(folder: string): Promise<void> {
  const lines: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    if (name === SUMS_FILE || !statSync(join(folder, name)).isFile()) continue;
    lines.push(`${await hashFile(join(folder, name), 'sha256')}  ${name}`);
  }
  writeFileSync(join(folder, SUMS_FILE), `${lines.join('\n')}\n`);
}
