// Figures stay legible from 1 to 100 layers (issue 13 item 5; ResNet-20 has 41): bounded image sizes,
// layer labels that do not overlap, and Fig. 3b bars that keep their legend colours (no overlap).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HELPED_COLOR, HURT_COLOR } from '../src/plot/colors.js';
import { buildFigure } from '../src/plot/figures.js';
import { labelledDomain } from '../src/plot/layers.js';
import { svgFromSpec } from '../src/plot/render.js';
import { RunSource } from '../src/jobs/run-source.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-legible-');
const LAYER_COUNTS = [1, 41, 100];
const runOf = (layers: number) => path.join(tmp, `layers-${layers}`);

before(async () => {
  for (const layers of LAYER_COUNTS) {
    const variables = Array.from({ length: layers }, (_, l) => [{ name: `block${Math.floor(l / 3)}_conv_${l}/kernel`, shape: [3, 2] }, { name: `block${Math.floor(l / 3)}_conv_${l}/bias`, shape: [2] }]).flat();
    await writeAnalyzeRun(runOf(layers), variables, 12, (t, out) => {
      for (let i = 0; i < out.length; i++) out[i] = i % 7 === 0 ? 0 : Math.sin(0.7 * i + t) * 1e-3 - (t % 5 === 2 ? 2e-3 : 0);
    });
  }
});

const size = (svg: string) => svg.match(/^<svg[^>]* width="([\d.]+)" height="([\d.]+)"/)!.slice(1).map(Number);

/** The layer names on the figure's axis, each with its y and font size (vega's SVG: translate(x,y), font-size). */
function layerLabels(svg: string, names: Set<string>): { y: number; font: number }[] {
  const labels = [...svg.matchAll(/<text[^>]*transform="translate\(([-\d.e]+),([-\d.e]+)\)"[^>]*font-size="([\d.]+)px"[^>]*>([^<]*)<\/text>/g)];
  return labels.filter((m) => names.has(m[4])).map((m) => ({ y: Number(m[2]), font: Number(m[3]) }));
}

for (const figure of ['layers', 'layer-helped', 'sync'] as const) {
  test(`${figure}: bounded size and one non-overlapping label per layer for 1, 41 and 100 layers`, async () => {
    for (const layers of LAYER_COUNTS) {
      const { spec } = await buildFigure(figure, await RunSource.open(runOf(layers)), {});
      assert.ok((spec.title as { offset: number }).offset >= 8, `${figure}: the subtitle keeps clear of the top axis`);
      const svg = await svgFromSpec(spec);
      const [width, height] = size(svg);
      assert.ok(width <= 1000 && height <= 1400, `${figure}, ${layers} layers: ${width} × ${height} px`);
      const names = new Set(Array.from({ length: layers }, (_, l) => `block${Math.floor(l / 3)}_conv_${l}`));
      const labels = layerLabels(svg, names).sort((a, b) => a.y - b.y);
      assert.equal(labels.length, layers, `${figure}, ${layers} layers: every layer labelled`);
      assert.ok(labels.every((l) => l.font >= 8), `${figure}: label font at least 8 px`);
      for (let k = 1; k < labels.length; k++) assert.ok(labels[k].y - labels[k - 1].y >= labels[k].font, `${figure}, ${layers} layers: labels ${k - 1} and ${k} overlap`);
    }
  });
}

test('layers: each share label fits between its bar and the frame, however long (layers that cancel: shares of 1,000 %)', () => {
  const lcas = [-0.102, 0.1, 0, -0.05];
  const labels = ['1020.0%', '−1000.0%', '0.0%', '500.0%'];
  const [lo, hi] = labelledDomain(lcas, labels, 11, 560);
  const px = (nats: number) => (nats * 560) / (hi - lo);
  // A label's far side: its characters (at most 0.7 em each at 11 px) and its 3 px offset.
  lcas.forEach((lca, i) => {
    const room = lca > 0 ? px(hi - lca) : px(lca - lo);
    assert.ok(room >= labels[i].length * 0.7 * 11 + 3, `${labels[i]}: ${room.toFixed(1)} px of room`);
  });
  // The margins are what the longest label on each side needs (7 and 8 characters), not more.
  assert.ok(px(-0.102 - lo) < 7 * 0.7 * 11 + 8 && px(hi - 0.1) < 8 * 0.7 * 11 + 8, 'no more room than the labels need');
  assert.deepEqual(labelledDomain([0, 0], ['0.0%', '0.0%'], 11), [-1, 1]);
});

test('layer-curves: at most 10 curves whatever the layer count, the rest summed and said so', async () => {
  const svg = await svgFromSpec((await buildFigure('layer-curves', await RunSource.open(runOf(100)), {})).spec);
  const [width, height] = size(svg);
  assert.ok(width <= 1200 && height <= 800, `${width} × ${height}`);
  assert.ok(svg.includes('other 91 layers (summed)'));
  assert.ok(svg.includes('the other 91 summed into one curve'));
  const legend = [...svg.matchAll(/<g class="mark-text role-legend-label"[^>]*><text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.equal(legend.length, 10, 'nine layers and "other"');
  assert.equal(legend.at(-1), 'other 91 layers (summed)');
});

test('lca-distribution: helped and hurt bars never overlap and are drawn opaque in their legend colours', async () => {
  const svg = await svgFromSpec((await buildFigure('lca-distribution', await RunSource.open(runOf(41)), {})).spec);
  const bars = [...svg.matchAll(/aria-roledescription="bar" d="M([-\d.e]+),([-\d.e]+)h([-\d.e]+)v([-\d.e]+)h[-\d.e]+Z"([^>]*)>/g)].map((m) => {
    const [x, y, w, h] = m.slice(1, 5).map(Number);
    return { x0: Math.min(x, x + w), x1: Math.max(x, x + w), y0: Math.min(y, y + h), y1: Math.max(y, y + h), attributes: m[5] };
  });
  assert.ok(bars.length > 4, `${bars.length} bars`);
  for (const bar of bars) {
    assert.match(bar.attributes, new RegExp(`fill="(${HELPED_COLOR}|${HURT_COLOR})"`));
    assert.doesNotMatch(bar.attributes, /opacity="0\./, 'translucent bars mix into colours the legend does not show');
  }
  for (const a of bars) for (const b of bars) {
    if (a === b) continue;
    const overlap = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
    assert.ok(overlap < 1, 'two bars overlap');
  }
});
