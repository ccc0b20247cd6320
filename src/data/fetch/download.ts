// One HTTP(S) download streamed to a file while its digest is computed; a failure removes the file.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { LcaError } from '../../errors.js';
import { newHash } from './checksum.js';

export interface DownloadOptions {
  /** An expected digest: its length picks md5 or sha256 for the digest returned. */
  digestLike: string;
  /** Bytes received so far and the announced size, if the server gave one. */
  onProgress?: (bytes: number, total: number | undefined) => void;
  /** A connection that sends nothing for this long is given up (otherwise a stall hangs for ever). */
  idleTimeoutMs?: number;
}

export interface Downloaded {
  bytes: number;
  digest: string;
}

const DEFAULT_IDLE_MS = 60_000;

/** GETs `url` (following redirects) into `dest`, which must not exist; LcaError naming the URL on failure. */
export async function downloadTo(url: string, dest: string, opts: DownloadOptions): Promise<Downloaded> {
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_MS;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new LcaError(`no data for ${idleMs / 1000} s`)), idleMs);
  };
  let bytes = 0;
  try {
    arm();
    // identity: a server that gzips on the fly would make fetch() hand back other bytes than the published file.
    const response = await fetch(url, { redirect: 'follow', signal: controller.signal, headers: { 'accept-encoding': 'identity' } });
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw new LcaError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    }
    const announced = Number(response.headers.get('content-length') ?? NaN);
    const total = Number.isFinite(announced) ? announced : undefined;
    const hash = newHash(opts.digestLike);
    const count = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        arm();
        bytes += chunk.length;
        hash.update(chunk);
        opts.onProgress?.(bytes, total);
        yield chunk;
      }
    };
    const body = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
    await pipeline(body, count, createWriteStream(dest, { flags: 'wx' }));
    // fetch() itself notices most early closes; this catches a server that ends the body cleanly but short.
    if (total !== undefined && bytes !== total) throw new LcaError(`the transfer ended after ${bytes} of ${total} bytes`);
    return { bytes, digest: hash.digest('hex') };
  } catch (err) {
    await rm(dest, { force: true });
    throw new LcaError(`${url}: ${reason(err, controller.signal, bytes)}`);
  } finally {
    clearTimeout(timer);
  }
}

// fetch() reports network failures as "fetch failed" / "terminated" with the real reason in `cause`.
function reason(err: unknown, signal: AbortSignal, bytes: number): string {
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  if (err instanceof LcaError) return err.message;
  const fsError = err as NodeJS.ErrnoException | undefined;
  if (fsError?.syscall !== undefined && fsError.path !== undefined) return `cannot write ${fsError.path} (${fsError.code ?? fsError.message})`;
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const detail = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return bytes > 0 ? `the transfer broke off after ${bytes} bytes (${detail})` : `cannot download (${detail})`;
}
