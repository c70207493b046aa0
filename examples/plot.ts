// Writes the loss and accuracy curves of a training history as SVG and PNG: vega-lite describes
// the chart, vega renders it to SVG headless, resvg turns the SVG into a PNG. These are dev
// dependencies of the examples only; ndgrad itself does not need them.
import * as fs from 'fs';
import * as path from 'path';

/** Every metric's value per epoch, by name (what Estimator.fit returns). */
export type Curves = Record<string, number[]>;

function panel(title: string, rows: { epoch: number; metric: string; value: number }[]): object {
  return {
    title,
    width: 320,
    height: 220,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', scale: { zero: false } },
      color: { field: 'metric', type: 'nominal', legend: { orient: 'bottom', columns: 1 } },
    },
  };
}

/**
 * Writes `<name>.svg` and `<name>.png` into outDir: one panel for the metrics whose name holds
 * "loss", one for the others (accuracy). Returns the two paths.
 */
export async function writeCurves(curves: Curves, outDir: string, name: string): Promise<[string, string]> {
  // vega and vega-lite are ES modules only: import() loads them from this CommonJS-run example.
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const { Resvg } = await import('@resvg/resvg-js');
  const rows = (pick: (metric: string) => boolean) =>
    Object.entries(curves)
      .filter(([metric]) => pick(metric))
      .flatMap(([metric, values]) => values.map((value, epoch) => ({ epoch: epoch + 1, metric, value })));
  const isLoss = (m: string) => m.toLowerCase().includes('loss');
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    background: 'white',
    hconcat: [panel('loss', rows(isLoss)), panel('accuracy', rows((m) => !isLoss(m)))],
  };
  const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  fs.mkdirSync(outDir, { recursive: true });
  const svgFile = path.join(outDir, `${name}.svg`);
  const pngFile = path.join(outDir, `${name}.png`);
  fs.writeFileSync(svgFile, svg);
  fs.writeFileSync(pngFile, new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng());
  return [svgFile, pngFile];
}
