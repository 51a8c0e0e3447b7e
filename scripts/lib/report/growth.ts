// How a cost grows with the number of services (the scale suite's figures, one per size N): the
// exponent k of a power fit value ≈ c·N^k, least squares on the logarithms. k < 1 is sub-linear
// growth, k = 1 linear, k > 1 faster than linear. Pure, unit-tested; the report judges it.

/** The subject of a scale figure: `N=25` for the system with 25 generated services. */
export function sizeSubject(count: number): string {
  return `N=${count}`;
}

/** The N of a scale figure's subject, or undefined for any other subject. */
export function subjectSize(subject: string | undefined): number | undefined {
  const match = /^N=(\d+)$/.exec(subject ?? '');
  return match ? Number(match[1]) : undefined;
}

export interface SizePoint {
  n: number;
  value: number;
}

/** The exponent k of value ≈ c·N^k; undefined with fewer than two sizes or a value that is not positive. */
export function growthExponent(points: SizePoint[]): number | undefined {
  if (new Set(points.map((p) => p.n)).size < 2 || points.some((p) => !(p.n > 0) || !(p.value > 0))) return undefined;
  const xs = points.map((p) => Math.log(p.n));
  const ys = points.map((p) => Math.log(p.value));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  const sxy = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0);
  const sxx = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return sxy / sxx;
}
