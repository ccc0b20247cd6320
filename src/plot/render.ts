// vega-lite spec → vega spec → SVG (vega's headless 'none' renderer, no canvas) → PNG (resvg with
// the system's DejaVu fonts). Loaded lazily by the CLI: vega and resvg cost ~300 ms to import.
import type { Resvg as ResvgType } from '@resvg/resvg-js';

/** A vega-lite spec as plain JSON; vega-lite validates it when compiling. */
export type VlSpec = Record<string, unknown>;
/** A compiled vega spec, what the HTML report's inlined vega runtime renders. */
export type VegaSpec = Record<string, unknown>;

// DejaVu is the only font family on the machines this was measured on (node-ecosystem-probe §3);
// ordinal axes rotate labels unless told not to.
export const BASE_CONFIG = {
  font: 'DejaVu Sans',
  axis: { labelAngle: 0, labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eeeeee' },
  title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555555', anchor: 'start' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  view: { stroke: '#888888' },
  background: 'white',
};

export async function compileSpec(spec: VlSpec): Promise<VegaSpec> {
  const { compile } = await import('vega-lite');
  const withConfig = { ...spec, config: { ...BASE_CONFIG, ...(spec.config as object | undefined) } };
  return compile(withConfig as unknown as Parameters<typeof compile>[0]).spec as unknown as VegaSpec;
}

export async function svgFromSpec(spec: VlSpec): Promise<string> {
  return svgFromVega(await compileSpec(spec));
}

export async function svgFromVega(compiled: VegaSpec): Promise<string> {
  const vega = await import('vega');
  const view = new vega.View(vega.parse(compiled as unknown as Parameters<typeof vega.parse>[0]), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG at `scale` × its size (2 gives sharp text on high-density screens and in papers). */
export async function pngFromSvg(svg: string, scale = 2): Promise<Buffer> {
  const { Resvg } = (await import('@resvg/resvg-js')) as { Resvg: typeof ResvgType };
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
