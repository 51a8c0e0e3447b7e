// The status page's sparkline drawing (services/frontend/site/sparkline.js), imported as the
// browser gets it: points scaled into the box, gaps kept as gaps, values as people read them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Geometry {
  segments: string[];
  dots: Array<[number, number]>;
  max: number;
  points: number;
}
interface Sparkline {
  sparklineGeometry(values: Array<number | null>, width: number, height: number, pad?: number): Geometry;
  latestValue(values: Array<number | null>): number | null;
  formatValue(unit: string, v: number | null): string;
  formatAvailability(ratio: number | null): string;
}
// A computed specifier: the site's plain JavaScript has no type declarations to check against.
const file = pathToFileURL(path.join(import.meta.dirname, '../../services/frontend/site/sparkline.js')).href;
const spark = (await import(file)) as Sparkline;

const pairs = (segment: string) => segment.split(' ').map((p) => p.split(',').map(Number));

test('a line fills the box: first point at the left pad, last at the right, the maximum at the top, 0 at the bottom', () => {
  const g = spark.sparklineGeometry([0, 5, 10], 100, 20, 2);
  assert.equal(g.segments.length, 1);
  assert.deepEqual(pairs(g.segments[0]), [
    [2, 18],
    [50, 10],
    [98, 2],
  ]);
  assert.deepEqual([g.max, g.points, g.dots], [10, 3, []]);
});

test('missing values split the line; a point with no neighbour is a dot', () => {
  const g = spark.sparklineGeometry([1, 1, null, 1, null, 1, 1], 62, 10, 1);
  assert.equal(g.segments.length, 2);
  assert.deepEqual(g.dots, [[31, 1]]);
  assert.equal(g.points, 5);
});

test('an idle line (all zero) lies on the bottom edge; no values draw nothing', () => {
  const flat = spark.sparklineGeometry([0, 0, 0, 0], 40, 10, 2);
  assert.ok(pairs(flat.segments[0]).every(([, y]) => y === 8));
  const none = spark.sparklineGeometry([null, null], 40, 10);
  assert.deepEqual([none.segments, none.dots, none.points], [[], [], 0]);
  const single = spark.sparklineGeometry([7], 40, 10);
  assert.deepEqual(single.dots, [[20, 2]]);
});

test('coordinates stay inside the box for any input, with one decimal at most', () => {
  const values = Array.from({ length: 121 }, (_, i) => (i % 7 === 0 ? null : Math.abs(Math.sin(i)) * 1e6));
  const g = spark.sparklineGeometry(values, 120, 32);
  for (const s of g.segments)
    for (const [x, y] of pairs(s)) {
      assert.ok(x >= 0 && x <= 120 && y >= 0 && y <= 32, `${x},${y}`);
      assert.equal(Math.round(x * 10) / 10, x);
    }
});

test('the latest value and readable units', () => {
  assert.equal(spark.latestValue([1, 2, null]), 2);
  assert.equal(spark.latestValue([null]), null);
  assert.equal(spark.formatValue('req/s', 0.51234), '0.512 req/s');
  assert.equal(spark.formatValue('ratio', 0.05), '5 %');
  assert.equal(spark.formatValue('s', 0.0123), '12.3 ms');
  assert.equal(spark.formatValue('s', 2.5), '2.5 s');
  assert.equal(spark.formatValue('cores', 0.25), '25 % CPU');
  assert.equal(spark.formatValue('bytes', 50 * 1024 * 1024), '50 MiB');
  assert.equal(spark.formatValue('bytes', 512), '512 B');
  assert.equal(spark.formatValue('req/s', null), 'no data');
  assert.equal(spark.formatAvailability(0.99912), '99.91 %');
  assert.equal(spark.formatAvailability(null), 'not probed');
});
