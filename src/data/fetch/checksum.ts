// Hex digests of files and streams, md5 or sha256 chosen by the length of the expected digest.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { UsageError } from '../../errors.js';

export type DigestAlgorithm = 'md5' | 'sha256';

// Publishers give one or the other; the length tells them apart, so a checksum needs no label.
const BY_LENGTH: Record<number, DigestAlgorithm> = { 32: 'md5', 64: 'sha256' };

/** The algorithm of a hex digest; anything else is a bug in a checksum table or override file. */
export function algorithmOf(digest: string): DigestAlgorithm {
  const algorithm = /^[0-9a-f]+$/i.test(digest) ? BY_LENGTH[digest.length] : undefined;
  if (algorithm === undefined) throw new UsageError(`checksum '${digest}' is neither an md5 (32 hex digits) nor a sha256 (64)`);
  return algorithm;
}

export const newHash = (digest: string): Hash => createHash(algorithmOf(digest));

/** The hex digest of a file on disk. */
export async function hashFile(path: string, algorithm: DigestAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The hex digest of a gzip file's content, or undefined when it is not valid gzip. */
export async function hashGunzipped(path: string, algorithm: DigestAlgorithm): Promise<string | undefined> {
  const hash = createHash(algorithm);
  const stream = createReadStream(path).pipe(createGunzip());
  try {
    for await (const chunk of stream) hash.update(chunk as Buffer);
  } catch {
    return undefined;
  } finally {
    stream.destroy();
  }
  return hash.digest('hex');
}
