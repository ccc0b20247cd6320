// Temporary folders for tests, each removed when the test (or file) that made it ends:
// scripts/test.sh fails the suite if anything is left in the temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

/** A fresh folder under the OS temporary directory, removed after the current test or file. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
