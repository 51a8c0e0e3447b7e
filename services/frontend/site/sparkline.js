// Sparklines for the status page: pure functions from a line of values (null = no point) to SVG
// geometry and readable text. No DOM here, so node's tests import this file as it is served
// (test/unit/sparkline.test.ts); status.js turns the geometry into elements.

/**
 * The line's points in a width x height box, split where values are missing (a gap is drawn as
 * a gap, not as a slope across it). The y axis starts at 0: every value shown (rates, shares,
 * seconds, cores, bytes) is non-negative, and a flat idle line then sits at the bottom.
 * Returns { segments: ["x,y x,y ...", ...], dots: [[x, y], ...] } where dots are points that have
 * no neighbour to join (drawn as a dot so a lone sample still shows), and max is the scale's top.
 */
export function sparklineGeometry(values, width, height, pad = 2) {
  const n = values.length;
  const present = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  const max = present.length ? Math.max(...present, 0) : 0;
  const x = (i) => round(n > 1 ? pad + (i * (width - 2 * pad)) / (n - 1) : width / 2);
  const y = (v) => round(max > 0 ? height - pad - (Math.max(v, 0) / max) * (height - 2 * pad) : height - pad);
  const segments = [];
  const dots = [];
  let run = [];
  const close = () => {
    if (run.length > 1) segments.push(run.map(([px, py]) => `${px},${py}`).join(' '));
    else if (run.length === 1) dots.push(run[0]);
    run = [];
  };
  values.forEach((v, i) => {
    if (typeof v === 'number' && Number.isFinite(v)) run.push([x(i), y(v)]);
    else close();
  });
  close();
  return { segments, dots, max, points: present.length };
}

/** The last value that is a number, or null. */
export function latestValue(values) {
  for (let i = values.length - 1; i >= 0; i--) if (typeof values[i] === 'number' && Number.isFinite(values[i])) return values[i];
  return null;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A value as people read it, by the series' unit (req/s, ratio, s, cores, bytes). */
export function formatValue(unit, v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'no data';
  switch (unit) {
    case 'req/s':
      return `${trim(v)} req/s`;
    case 'ratio':
      return `${trim(v * 100)} %`;
    case 's':
      return v < 1 ? `${trim(v * 1000)} ms` : `${trim(v)} s`;
    case 'cores':
      return `${trim(v * 100)} % CPU`;
    case 'bytes': {
      let i = 0;
      while (v >= 1024 && i < BYTE_UNITS.length - 1) {
        v /= 1024;
        i++;
      }
      return `${trim(v)} ${BYTE_UNITS[i]}`;
    }
    default:
      return trim(v);
  }
}

/** Availability as a percentage with enough digits to see 99.9 % against 100 %. */
export function formatAvailability(ratio) {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? 'not probed' : `${(ratio * 100).toFixed(2)} %`;
}

function round(n) {
  return Math.round(n * 10) / 10;
}

/** Three significant digits at most, no trailing zeros: 0.0123, 1.5, 123. */
function trim(v) {
  if (v === 0) return '0';
  return String(Number(v.toPrecision(3)));
}
