// Animated heatmaps: our GIF writer decoded by a spec-following decoder written here (and its first
// frame by resvg's own decoder), the colours of known values in the frames on one scale for the whole
// range, and `lca plot --animate` to .gif, to .mp4 through a stand-in ffmpeg, and without ffmpeg.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { divergingColor, divergingPalette, HELPED_COLOR, HURT_COLOR } from '../src/plot/colors.js';
import { frameLayout } from '../src/plot/frames.js';
import { gifFrame, gifHeader, GIF_TRAILER } from '../src/plot/gif.js';
import { lca } from './helpers/cli.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { tempDir } from './helpers/temp-dir.js';

interface Gif {
  width: number;
  height: number;
  palette: Uint8Array;
  loop: boolean;
  frames: { delay: number; indices: Uint8Array }[];
}

/** LZW as the GIF89a spec describes it: codes LSB-first, width grows when the table reaches 2^size. */
function unlzw(data: Uint8Array, minSize: number, count: number): Uint8Array {
  const clear = 1 << minSize;
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Int32Array(4096);
  for (let i = 0; i < clear; i++) [prefix[i], suffix[i], length[i]] = [-1, i, 1];
  const out = new Uint8Array(count);
  let n = 0;
  let [size, next, prev, bit] = [minSize + 1, clear + 2, -1, 0];
  const first = (code: number) => {
    while (prefix[code] >= 0) code = prefix[code];
    return suffix[code];
  };
  const write = (code: number) => {
    const len = length[code];
    for (let k = len - 1, c = code; k >= 0; k--, c = prefix[c]) out[n + k] = suffix[c];
    n += len;
  };
  for (;;) {
    assert.ok(bit + size <= data.length * 8, 'LZW data ends before the end code');
    let code = 0;
    for (let k = 0; k < size; k++, bit++) code |= ((data[bit >> 3] >> (bit & 7)) & 1) << k;
    if (code === clear) {
      [size, next, prev] = [minSize + 1, clear + 2, -1];
      continue;
    }
    if (code === clear + 1) break;
    if (prev < 0) {
      write(code);
    } else {
      assert.ok(code <= next, `LZW code ${code} beyond the table (${next})`);
      const add = next < 4096;
      if (add) [prefix[next], suffix[next], length[next]] = [prev, first(code === next ? prev : code), length[prev] + 1];
      write(code);
      if (add) next++;
      if (next === 1 << size && size < 12) size++;
    }
    prev = code;
  }
  assert.equal(n, count, 'pixels in the frame');
  return out;
}

function decodeGif(bytes: Buffer): Gif {
  assert.equal(bytes.toString('ascii', 0, 6), 'GIF89a');
  const [width, height, flags] = [bytes.readUInt16LE(6), bytes.readUInt16LE(8), bytes[10]];
  assert.ok(flags & 0x80, 'global palette');
  const entries = 2 << (flags & 7);
  const palette = bytes.subarray(13, 13 + 3 * entries);
  let o = 13 + 3 * entries;
  const blocks = () => {
    const parts: Buffer[] = [];
    while (bytes[o] !== 0) {
      parts.push(bytes.subarray(o + 1, o + 1 + bytes[o]));
      o += 1 + bytes[o];
    }
    o++;
    return Buffer.concat(parts);
  };
  const gif: Gif = { width, height, palette, loop: false, frames: [] };
  let delay = 0;
  for (;;) {
    const kind = bytes[o++];
    if (kind === 0x3b) break;
    if (kind === 0x21) {
      const label = bytes[o++];
      const body = blocks();
      if (label === 0xf9) delay = body.readUInt16LE(1);
      if (label === 0xff) gif.loop = body.toString('ascii', 0, 11) === 'NETSCAPE2.0' && body.readUInt16LE(12) === 0;
    } else {
      assert.equal(kind, 0x2c, `block 0x${kind.toString(16)} at ${o - 1}`);
      const [w, h, packed] = [bytes.readUInt16LE(o + 4), bytes.readUInt16LE(o + 6), bytes[o + 8]];
      assert.deepEqual([w, h, packed & 0xc0], [width, height, 0], 'full frame, no local palette, not interlaced');
      o += 9;
      const minSize = bytes[o++];
      gif.frames.push({ delay, indices: unlzw(blocks(), minSize, w * h) });
    }
  }
  assert.equal(o, bytes.length, 'nothing after the trailer');
  return gif;
}

const rgbAt = (gif: Gif, frame: number, x: number, y: number) => {
  const i = gif.frames[frame].indices[y * gif.width + x];
  return [...gif.palette.subarray(3 * i, 3 * i + 3)];
};
const hex = (c: string) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16));
const near = (a: number[], b: number[], what: string) => assert.ok(a.every((v, k) => Math.abs(v - b[k]) <= 2), `${what}: ${a} ≈ ${b}`);

test('GIF writer: decodes to the same pixels, incl. full LZW tables (clear codes), with delay and loop', () => {
  const palette = divergingPalette();
  const [w, h] = [301, 97];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const frames = [
    Uint8Array.from({ length: w * h }, () => random()), // incompressible: the 4096-code table fills many times
    Uint8Array.from({ length: w * h }, (_, i) => (i % 1000 < 700 ? 127 : i % 3)), // long runs
    new Uint8Array(w * h).fill(255),
  ];
  const bytes = Buffer.concat([gifHeader(w, h, palette), ...frames.map((f) => gifFrame(f, w, h, 7)), GIF_TRAILER]);
  const gif = decodeGif(bytes);
  assert.deepEqual([gif.width, gif.height, gif.loop], [w, h, true]);
  assert.deepEqual([...gif.palette], [...palette]);
  assert.equal(gif.frames.length, 3);
  gif.frames.forEach((f, k) => {
    assert.equal(f.delay, 7);
    assert.deepEqual(f.indices, frames[k], `frame ${k}`);
  });
  assert.deepEqual(divergingColor(0, 1), [...palette.subarray(3 * 127, 3 * 128)], 'the middle step is white');
});

const tmp = tempDir('lca-animate-');
const run = path.join(tmp, 'gen');
// fc_1/kernel (in 2, out 3) and fc_1/bias: LCA[t] = s · (t + 1), so |LCA| peaks in the last row.
const S = [-1, 0, 1, 0.5, -0.5, 0, -2, 2, 0];
const variables = [{ name: 'fc_1/kernel', shape: [2, 3] }, { name: 'fc_1/bias', shape: [3] }, { name: 'fc_2/kernel', shape: [3, 1] }];

before(async () => {
  await writeAnalyzeRun(run, variables, 10, (t, out) => {
    out.fill(0);
    S.forEach((s, i) => (out[i] = s * (t + 1)));
  }, 4);
});

/** The centre pixel of a kernel cell (input i, output o) or a bias cell, from the frame layout. */
function centre(panel: number, row: number, col: number): [number, number] {
  const p = frameLayout([[2, 3], [3]]).panels[panel];
  return [col * p.cellW + (p.cellW >> 1), p.top + row * p.cellH + (p.cellH >> 1)];
}

test('lca plot --animate: one frame per iteration, negative → green, positive → red, zero → white, one scale', () => {
  const out = path.join(tmp, 'fc1.gif');
  const result = lca(['plot', '--run', run, '--figure', 'heatmap', '--layer', 'fc_1', '--animate', '2:6', '--clip', '100', '--fps', '4', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const gif = decodeGif(fs.readFileSync(out));
  assert.equal(gif.frames.length, 4, 'iterations 2, 3, 4, 5');
  assert.ok(gif.frames.every((f) => f.delay === 25), '4 fps = 25 cs');
  // Kernel stored (in, out): value k is input ⌊k/3⌋, output k mod 3, drawn at row = output, column = input.
  // The clip (100th percentile over all frames, bias included) is |±2 · 6| = 12, from the bias in the last frame.
  const last = 3;
  near(rgbAt(gif, last, ...centre(1, 0, 1)), hex(HURT_COLOR), 'bias[1] = +12 (the clip): full red');
  near(rgbAt(gif, last, ...centre(1, 0, 0)), hex(HELPED_COLOR), 'bias[0] = −12: full green');
  near(rgbAt(gif, last, ...centre(0, 0, 0)), divergingColor(-6, 12), 'kernel[0,0] = −6: half green');
  near(rgbAt(gif, last, ...centre(0, 1, 0)), [255, 255, 255], 'kernel[0,1] = 0: white');
  near(rgbAt(gif, last, ...centre(0, 2, 0)), divergingColor(6, 12), 'kernel[0,2] = +6: half red');
  near(rgbAt(gif, last, ...centre(1, 0, 2)), [255, 255, 255], 'bias[2] = 0: white');
  // The same scale in the first frame (t = 2, LCA = 3s): a third of the way, not rescaled to the frame.
  near(rgbAt(gif, 0, ...centre(0, 0, 0)), divergingColor(-3, 12), 'kernel[0,0] = −3 at t = 2');
  near(rgbAt(gif, 0, ...centre(1, 0, 1)), divergingColor(6, 12), 'bias[1] = +6 at t = 2');
  const green = rgbAt(gif, last, ...centre(0, 0, 0));
  assert.ok(green[1] > green[0] && green[1] > green[2], 'negative is green');
  // The progress bar under the panels: full in the last frame, a quarter in the first.
  const bar = (k: number) => Array.from({ length: gif.width }, (_, x) => gif.frames[k].indices[(gif.height - 1) * gif.width + x]).filter((i) => i === 255).length;
  assert.deepEqual([bar(0), bar(last)], [Math.round(gif.width / 4), gif.width]);
});

test('resvg decodes the first frame of our GIF with the same colours', async () => {
  const out = path.join(tmp, 'fc1.gif');
  const gif = decodeGif(fs.readFileSync(out));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${gif.width}" height="${gif.height}"><image width="${gif.width}" height="${gif.height}" href="data:image/gif;base64,${fs.readFileSync(out).toString('base64')}"/></svg>`;
  const { Resvg } = await import('@resvg/resvg-js');
  const image = new Resvg(svg).render();
  assert.deepEqual([image.width, image.height], [gif.width, gif.height]);
  const pixels = image.pixels;
  for (const [panel, row, col] of [[0, 0, 0], [0, 1, 0], [0, 2, 0], [1, 0, 1]]) {
    const [x, y] = centre(panel, row, col);
    const i = 4 * (y * gif.width + x);
    near([pixels[i], pixels[i + 1], pixels[i + 2]], rgbAt(gif, 0, x, y), `resvg at (${x}, ${y})`);
  }
});

test('--animate to .mp4: raw frames piped to ffmpeg on PATH; without ffmpeg a clear error; usage errors', () => {
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  // A stand-in ffmpeg: keeps its arguments and whatever it reads, so the test needs no real ffmpeg.
  fs.writeFileSync(path.join(bin, 'ffmpeg'), '#!/bin/sh\nfor last; do :; done\necho "$@" > "$last.args"\ncat > "$last"\n', { mode: 0o755 });
  const mp4 = path.join(tmp, 'fc1.mp4');
  const ok = lca(['plot', '--run', run, '--figure', 'heatmap', '--layer', 'fc_1', '--animate', '0:3', '--fps', '5', '--out', mp4], { env: { PATH: `${bin}${path.delimiter}/usr/bin${path.delimiter}/bin` } }); // ours first: its sh needs cat
  assert.equal(ok.code, 0, ok.stderr);
  const { width, height } = frameLayout([[2, 3], [3]]);
  assert.equal(fs.statSync(mp4).size, 3 * width * height * 3, 'three rgb24 frames');
  assert.match(fs.readFileSync(`${mp4}.args`, 'utf8'), new RegExp(`-pix_fmt rgb24 -s ${width}x${height} -r 5 -i -`));
  const none = lca(['plot', '--run', run, '--figure', 'heatmap', '--animate', '0:3', '--out', mp4, '--force'], { env: { PATH: path.join(tmp, 'nothing') } });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /an MP4 needs ffmpeg on PATH.*write a \.gif/);
  const gif = path.join(tmp, 'x.gif');
  for (const [args, message] of [
    [['--figure', 'layers', '--animate', '0:3', '--out', gif], /--animate applies to --figure heatmap only/],
    [['--figure', 'heatmap', '--animate', '0:3', '--iteration', '1', '--out', gif], /drop --iteration/],
    [['--figure', 'heatmap', '--animate', '0:3', '--out', path.join(tmp, 'x.png')], /must end in \.gif or \.mp4/],
    [['--figure', 'heatmap', '--out', gif], /\.gif or \.mp4 with --animate/],
    [['--figure', 'heatmap', '--animate', '0:3', '--fps', '0', '--out', gif], /frames per second/],
  ] as const) {
    const bad = lca(['plot', '--run', run, ...args]);
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, message);
  }
});
