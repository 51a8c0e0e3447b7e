// A line chart as SVG text (pure, unit-tested): the scale suite draws its figures against N with
// it. Written by hand because a few lines, two axes and a legend are all it needs: a charting
// package would bring a browser-style DOM or a canvas into the bench for one picture.

export interface Series {
  name: string;
  points: Array<{ x: number; y: number }>;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

const WIDTH = 720;
const HEIGHT = 420;
const PAD = { left: 70, right: 200, top: 40, bottom: 50 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round step (1, 2 or 5 times a power of ten) giving about `count` ticks from 0 to `max`. */
export function tickStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power;
}

function label(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.max(0, -Math.floor(Math.log10(Math.abs(value) || 1)) + 1));
}

/** One chart's elements, drawn in a WIDTH × HEIGHT box at the origin. */
function chartElements(chart: Chart): string[] {
  const points = chart.series.flatMap((s) => s.points);
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const xMax = Math.max(1, ...xs);
  const step = tickStep(Math.max(0, ...points.map((p) => p.y)));
  const yMax = step * Math.max(1, Math.ceil(Math.max(0, ...points.map((p) => p.y)) / step));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  // Both axes start at 0, so a line through the origin's direction reads as linear growth.
  const px = (x: number) => PAD.left + (x / xMax) * plotW;
  const py = (y: number) => PAD.top + plotH - (y / yMax) * plotH;
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(chart.title)}</text>`,
    `<line x1="${PAD.left}" y1="${py(0)}" x2="${PAD.left + plotW}" y2="${py(0)}" stroke="black"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${py(0)}" stroke="black"/>`,
  ];
  for (let y = 0; y <= yMax + step / 2; y += step) {
    out.push(`<line x1="${PAD.left}" y1="${f(py(y))}" x2="${PAD.left + plotW}" y2="${f(py(y))}" stroke="#ddd"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${f(py(y) + 4)}" text-anchor="end">${label(y)}</text>`);
  }
  for (const x of new Set([0, ...xs])) out.push(`<text x="${f(px(x))}" y="${py(0) + 18}" text-anchor="middle">${label(x)}</text>`);
  out.push(`<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`);
  chart.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    if (sorted.length)
      out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${sorted.map((p) => `${f(px(p.x))},${f(py(p.y))}`).join(' ')}"/>`);
    for (const p of sorted) out.push(`<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="3" fill="${colour}"/>`);
    const ly = PAD.top + 10 + i * 20;
    out.push(`<line x1="${WIDTH - PAD.right + 15}" y1="${ly}" x2="${WIDTH - PAD.right + 35}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<text x="${WIDTH - PAD.right + 40}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  return out;
}

/**
 * Charts one above the other in one SVG: measures seconds apart (a health check beside a
 * deploy of every service) each get a y axis of their own instead of a flat line at zero.
 */
export function chartSheet(charts: Chart[]): string {
  const height = HEIGHT * charts.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    ...charts.flatMap((chart, i) => [`<g transform="translate(0 ${i * HEIGHT})">`, ...chartElements(chart), '</g>']),
    '</svg>\n',
  ].join('\n');
}
