/**
 * One run's distinct steps in a range, when they are an arithmetic progression: `first`, `first + stride`,
 * ... `last` (one step: first = last, any stride). What a training loop that logs every k steps leaves.
 */
export interface StepProgression {
  first: number;
  last: number;
  /** Undefined for a single step, which fits any stride. */
  stride: number | undefined;
}

/**
 * The union of several runs' progressions on one lattice (`base + stride * n`), as sorted, disjoint runs of
 * consecutive lattice points; `count` is how many distinct steps the union holds.
 */
export interface StepLattice {
  base: number;
  stride: number;
  /** Inclusive [from, to] lattice indices, ascending, neither overlapping nor touching. */
  spans: [from: number, to: number][];
  count: number;
}

/**
 * The union of progressions that share one stride and lie on one lattice, or undefined when they do not
 * (different strides, or offsets that are not a multiple of the stride apart): then the union is no run of
 * lattice points and has to be counted step by step.
 */
export function stepLattice(progressions: readonly StepProgression[]): StepLattice | undefined {
  if (progressions.length === 0) return undefined;
  const strides = new Set(progressions.flatMap((run) => (run.stride === undefined ? [] : [run.stride])));
  if (strides.size > 1) return undefined;
  const stride = strides.values().next().value ?? 1;
  const base = Math.min(...progressions.map((run) => run.first));
  if (progressions.some((run) => (run.first - base) % stride !== 0)) return undefined;
  const sorted = progressions
    .map((run): [number, number] => [(run.first - base) / stride, (run.last - base) / stride])
    .sort((left, right) => left[0] - right[0]);
  const spans: [number, number][] = [];
  for (const [from, to] of sorted) {
    const previous = spans[spans.length - 1];
    if (previous !== undefined && from <= previous[1] + 1) previous[1] = Math.max(previous[1], to);
    else spans.push([from, to]);
  }
  const count = spans.reduce((total, [from, to]) => total + (to - from + 1), 0);
  return { base, stride, spans, count };
}

/** The steps at the given ascending 0-based ranks of a lattice's union. */
export function latticeStepsAtRanks(lattice: StepLattice, ranks: readonly number[]): number[] {
  const steps: number[] = [];
  let span = 0;
  let before = 0;
  for (const rank of ranks) {
    let current = lattice.spans[span];
    while (current !== undefined && rank >= before + (current[1] - current[0] + 1)) {
      before += current[1] - current[0] + 1;
      span += 1;
      current = lattice.spans[span];
    }
    if (current === undefined) break;
    steps.push(lattice.base + lattice.stride * (current[0] + rank - before));
  }
  return steps;
}
