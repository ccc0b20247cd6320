// MP4 animations: raw RGB frames piped into the `ffmpeg` found on PATH (H.264, yuv420p, which needs
// even sizes, hence the pad filter). Without ffmpeg, an error that says what to do instead.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LcaError } from '../errors.js';

/** The path of an executable `name` on PATH, or undefined. */
export function findOnPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

/** Writes frames ([height × width] palette indices) through ffmpeg into out; returns the file's size. */
export async function pipeToFfmpeg(out: string, width: number, height: number, frames: number, frame: (k: number) => Uint8Array, palette: Uint8Array, fps: number): Promise<number> {
  const ffmpeg = findOnPath('ffmpeg');
  if (!ffmpeg) throw new LcaError(`--out ${out}: an MP4 needs ffmpeg on PATH, and there is none; install it (apt-get install ffmpeg) or write a .gif`);
  const args = ['-y', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', '-',
    '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out];
  const child = spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.on('error', () => undefined); // ffmpeg quit early: its exit code and stderr say why
  const rgb = Buffer.alloc(width * height * 3);
  for (let k = 0; k < frames && child.exitCode === null; k++) {
    const pixels = frame(k);
    for (let i = 0; i < pixels.length; i++) {
      const p = 3 * pixels[i];
      rgb[3 * i] = palette[p];
      rgb[3 * i + 1] = palette[p + 1];
      rgb[3 * i + 2] = palette[p + 2];
    }
    // A copy per write: the buffer is reused for the next frame while this one may still be queued.
    if (!child.stdin.write(Buffer.from(rgb))) await Promise.race([new Promise((resolve) => child.stdin.once('drain', resolve)), exited]);
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new LcaError(`ffmpeg (${ffmpeg}) failed with exit ${code} writing ${out}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return fs.statSync(out).size;
}
