// Figures: the PNG writer, the heatmap colours and layouts, and every figure rendered from a
// generated run as a valid SVG (title, marks) and PNG (signature, IHDR size), plus `lca plot` errors.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { crc32, encodePng } from '../src/plot/png.js';
import { divergingColor, HELPED_COLOR, HURT_COLOR } from '../src/plot/colors.js';
import { clipMagnitude, layoutGrid, paintGrid } from '../src/plot/raster.js';
import { buildFigure, FIGURES } from '../src/plot/figures.js';
import { pngFromSvg, svgFromSpec } from '../src/plot/render.js';
import { RunSource } from '../src/jobs/run-source.js';
import { lca } from './helpers/cli.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { tempDir } from './helpers/temp-dir.js';

/** Reads a PNG: checks signature and chunk CRCs; decodes pixels only for our own (RGBA, filter 0) files. */
function readPng(bytes: Buffer): { width: number; height: number; pixels?: Uint8Array } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    assert.equal(bytes.readUInt32BE(offset + 8 + length), crc32(bytes.subarray(offset + 4, offset + 8 + length)), `${type} CRC`);
    if (type === 'IHDR') [width, height, colorType] = [data.readUInt32BE(0), data.readUInt32BE(4), data[9]];
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  assert.ok(width > 0 && height > 0, 'IHDR size');
  if (colorType !== 6) return { width, height };
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  if (raw.length !== (stride + 1) * height || Array.from({ length: height }, (_, y) => raw[y * (stride + 1)]).some((f) => f !== 0)) return { width, height };
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  return { width, height, pixels };
}

const hex = (c: string) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16));

test('PNG writer: signature, IHDR, CRCs and pixels round-trip', () => {
  const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
  const png = readPng(encodePng(rgba, 3, 2));
  assert.deepEqual([png.width, png.height], [3, 2]);
  assert.deepEqual(png.pixels, rgba);
  assert.equal(crc32(Buffer.from('IEND')), 0xae426082); // the CRC every PNG ends with
});

test('heatmap colours: negative → green, positive → red, zero → white, clipped beyond ±m', () => {
  assert.deepEqual(divergingColor(-2, 2), hex(HELPED_COLOR));
  assert.deepEqual(divergingColor(5, 2), hex(HURT_COLOR));
  assert.deepEqual(divergingColor(0, 2), [255, 255, 255]);
  assert.deepEqual(divergingColor(-0, 2), [255, 255, 255]);
  const half = divergingColor(-1, 2);
  assert.ok(half[1] > half[0] && half[0] > hex(HELPED_COLOR)[0], 'half-way green is lighter than the full green');
  // A 2×3 dense kernel (in=2, out=3) drawn out × in, painted and read back from our own PNG.
  const grid = layoutGrid([-1, 0, 1, 0.5, -0.5, 0], [2, 3]);
  assert.deepEqual([grid.rows, grid.cols], [3, 2]);
  const { rgba, width, height } = paintGrid(grid, 1, 2, 2);
  const { pixels } = readPng(encodePng(rgba, width, height));
  const at = (row: number, col: number) => [...pixels!.subarray(((row * 2) * width + col * 2) * 4, ((row * 2) * width + col * 2) * 4 + 3)];
  assert.deepEqual(at(0, 0), hex(HELPED_COLOR), 'kernel[0,0] = −1: green');
  assert.deepEqual(at(1, 0), [255, 255, 255], 'kernel[0,1] = 0: white');
  assert.deepEqual(at(2, 0), hex(HURT_COLOR), 'kernel[0,2] = +1: red');
  assert.deepEqual(at(0, 1), divergingColor(0.5, 1), 'kernel[1,0] = 0.5: light red');
});

test('heatmap layouts: conv blocks by input channel (columns) and output channel (rows); 1-D strips', () => {
  // (kh, kw, in, out) = (2, 2, 2, 3): value = 1000·o + 100·c + 10·y + x
  const shape = [2, 2, 2, 3];
  const values: number[] = [];
  for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) for (let c = 0; c < 2; c++) for (let o = 0; o < 3; o++) values.push(1000 * o + 100 * c + 10 * y + x);
  const grid = layoutGrid(values, shape);
  assert.deepEqual([grid.kind, grid.rows, grid.cols, grid.xUnits, grid.yUnits], ['conv', 9, 6, 2, 3]);
  assert.equal(grid.values[(2 * 3 + 1) * 6 + 1 * 3 + 0], 2110, 'block (o=2, c=1), pixel (y=1, x=0)');
  assert.ok(Number.isNaN(grid.values[2 * 6]), 'gap row after each block');
  assert.equal(layoutGrid([1, 2, 3], [3]).kind, 'strip');
  assert.equal(clipMagnitude([[0, 0, 1, -2, 3, 4]], 50), 2, 'percentile over non-zero |values|');
  assert.equal(clipMagnitude([[0, 0]], 99), 1, 'all zero: any positive clip');
});

const tmp = tempDir('lca-plot-');
const run = path.join(tmp, 'gen');
const variables = [
  { name: 'conv_1/kernel', shape: [3, 3, 2, 4] },
  { name: 'conv_1/bias', shape: [4] },
  { name: 'fc_1/kernel', shape: [6, 5] },
  { name: 'fc_1/bias', shape: [5] },
];

before(async () => {
  // Deterministic mixed signs, dips every 7 iterations so that sync finds peaks, some exact zeros.
  await writeAnalyzeRun(run, variables, 40, (t, out) => {
    for (let i = 0; i < out.length; i++) out[i] = i % 5 === 0 ? 0 : Math.sin(0.7 * i + t) * 1e-3 - (t % 7 === 3 ? 2e-3 : 0);
  }, 16);
});

const TITLES: Record<string, string> = {
  heatmap: 'Fig. 2', helped: 'Fig. 3a', 'fraction-helped': 'Fig. 3d', 'lca-distribution': 'Fig. 3b', 'layer-helped': 'Fig. 3c',
  layers: 'Fig. 4', 'layer-curves': 'Per-layer LCA', sync: 'Fig. 6', grounding: 'Grounding',
};
const MARKS: Record<string, string> = {
  heatmap: 'mark-image', helped: 'mark-area', 'fraction-helped': 'mark-rect', 'lca-distribution': 'mark-rect', 'layer-helped': 'mark-rect',
  layers: 'mark-rect', 'layer-curves': 'mark-line', sync: 'mark-symbol', grounding: 'mark-line',
};

test('every figure renders to an SVG with its title, the run, the backend and its marks, and to a PNG', async () => {
  const source = await RunSource.open(run);
  // overfitting needs the validation LCA (compute --val); test/act-run.test.ts draws it on a run that has it.
  for (const name of FIGURES.filter((f) => f !== 'overfitting')) {
    const figure = await buildFigure(name, source, { layer: name === 'heatmap' ? 'conv_1' : undefined });
    const svg = await svgFromSpec(figure.spec);
    assert.match(svg, /^<svg[^>]* width="(\d+)" height="(\d+)"/, name);
    assert.ok(svg.includes(TITLES[name]), `${name}: title`);
    assert.ok(svg.includes('run gen'), `${name}: names the run`);
    assert.ok(svg.includes('LCA computed on none'), `${name}: names the compute backend`);
    assert.ok(svg.includes(MARKS[name]), `${name}: has ${MARKS[name]}`);
    const unit = name === 'fraction-helped' || name === 'layer-helped' ? '(%)' : name === 'sync' ? 'iteration t' : 'nats';
    assert.ok(svg.includes(unit), `${name}: axis unit ${unit}`);
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    const png = readPng(await pngFromSvg(svg));
    assert.deepEqual([png.width, png.height], [2 * w, 2 * h], `${name}: PNG at 2×`);
  }
});

test('heatmap of a layer draws kernel blocks and bias strip as embedded PNG rasters', async () => {
  const source = await RunSource.open(run, { iterations: [3, 3] });
  const svg = await svgFromSpec((await buildFigure('heatmap', source, { layer: 'conv_1' })).spec);
  assert.ok(svg.includes('at iteration 3'));
  const images = [...svg.matchAll(/href="data:image\/png;base64,([^"]+)"/g)].map((m) => readPng(Buffer.from(m[1], 'base64')));
  assert.equal(images.length, 2, 'conv_1/kernel and conv_1/bias');
  assert.ok(images.every((p) => p.pixels), 'our own rasters decode');
});

test('lca plot writes PNG and SVG files and refuses bad requests with exit 2', () => {
  const png = path.join(tmp, 'layers.png');
  const ok = lca(['plot', '--run', run, '--figure', 'layers', '--out', png]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(readPng(fs.readFileSync(png)).width > 0);
  const svg = path.join(tmp, 'heat.svg');
  assert.equal(lca(['plot', '--run', run, '--figure', 'heatmap', '--layer', 'fc_1/kernel', '--iteration', '5', '--out', svg]).code, 0);
  assert.match(fs.readFileSync(svg, 'utf8'), /^<svg/);
  const bad = lca(['plot', '--run', run, '--figure', 'layers', '--out', path.join(tmp, 'x.jpg')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /must end in \.png or \.svg/);
  assert.equal(lca(['plot', '--run', run, '--figure', 'layers', '--layer', 'fc_1', '--out', png]).code, 2);
  const noLayer = lca(['plot', '--run', run, '--figure', 'heatmap', '--layer', 'nope', '--out', png, '--force']);
  assert.equal(noLayer.code, 2);
  assert.match(noLayer.stderr, /layers: conv_1, fc_1/);
  assert.equal(lca(['plot', '--run', run, '--figure', 'heatmap', '--clip', '0', '--out', png]).code, 2);
  const noMethod = lca(['plot', '--run', run, '--figure', 'layers', '--method', 'simpson', '--out', png, '--force']);
  assert.equal(noMethod.code, 1);
  assert.match(noMethod.stderr, /no LCA computed with --method simpson \(have: adaptive\)/, 'the method is chosen as lca analyze chooses it');
  const before = fs.readFileSync(png);
  const again = lca(['plot', '--run', run, '--figure', 'helped', '--out', png]);
  assert.deepEqual([again.code, again.stderr], [1, `lca: ${png} already exists; pass --force to replace it\n`]);
  assert.ok(fs.readFileSync(png).equals(before), 'an existing figure is kept without --force');
});
