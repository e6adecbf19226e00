import type { TrackingStore } from '@cairn/core';

/**
 * One run search as a user or the UI sends it: a filter of 0-3 clauses over metrics, params, tags and
 * attributes, 0-2 order keys and a page size. Every shape is valid in MLflow's grammar too, so the same
 * shape can be timed against an MLflow server.
 */
export interface SearchShape {
  /** A short readable label: the filter, the order and the page size. */
  name: string;
  filter: string;
  orderBy: string[];
  maxResults: number;
}

/** A small seeded generator (mulberry32): the same seed gives the same shapes and the same runs. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

/** The first run's start time; run `r` starts `r` seconds later. */
const baseTime = 1_700_000_000_000;
/** Seven in ten runs finished, two failed, one still running. */
const statuses = [...Array<string>(7).fill('FINISHED'), 'FAILED', 'FAILED', 'RUNNING'];

/**
 * What run `r` of {@link seedSearchRuns} holds, so shapes can name values that exist: 5 params (`p1` one of
 * x/y/z, `p2` ten values, `p3` a hundred, `p4` five, `p5` unique), 5 metrics in [0, 1) (`m4` NaN on every
 * 50th run, `m5` only on even runs), tags `t1` (seven values) and `t2` on every 4th run, and attributes
 * that vary (status, user, start and end time; running runs have no end time).
 */
function searchRunContent(r: number, random: () => number) {
  const status = statuses[r % statuses.length] as string;
  const startTime = baseTime + r * 1_000;
  return {
    runName: `run-${r}`,
    startTime,
    userId: `user-${r % 5}`,
    status,
    endTime: status === 'RUNNING' ? undefined : startTime + 1_000 + (r % 97) * 10,
    params: [
      { key: 'p1', value: ['x', 'y', 'z'][r % 3] as string },
      { key: 'p2', value: String(r % 10) },
      { key: 'p3', value: String((r * 7) % 100) },
      { key: 'p4', value: `0.0${r % 5}` },
      { key: 'p5', value: `cfg-${r}` },
    ],
    metrics: [1, 2, 3, 4, 5].flatMap((m) => {
      if (m === 5 && r % 2 === 1) return [];
      const value = m === 4 && r % 50 === 0 ? Number.NaN : random();
      return [{ key: `m${m}`, value, timestamp: startTime, step: 0 }];
    }),
    tags: [{ key: 't1', value: `v${r % 7}` }, ...(r % 4 === 0 ? [{ key: 't2', value: 'gold' }] : [])],
  };
}

/**
 * Fills an experiment with `runs` runs through the store's API (createRun, logBatch, updateRun), as a
 * user's code would, `concurrency` runs at a time. See {@link searchRunContent} for what each run holds.
 */
export async function seedSearchRuns(
  store: TrackingStore,
  experimentId: string,
  runs: number,
  options: { seed?: number; concurrency?: number; first?: number } = {},
): Promise<void> {
  const random = randomSource(options.seed ?? 7);
  const first = options.first ?? 0;
  const content = Array.from({ length: runs }, (_, index) => searchRunContent(first + index, random));
  let next = 0;
  const worker = async () => {
    while (next < content.length) {
      const run = content[next] as ReturnType<typeof searchRunContent>;
      next += 1;
      const created = await store.createRun({
        experimentId,
        runName: run.runName,
        startTime: run.startTime,
        userId: run.userId,
      });
      const runId = created.info.run_id;
      await store.logBatch({ runId, params: run.params, metrics: run.metrics, tags: run.tags });
      if (run.status !== 'RUNNING') {
        await store.updateRun({
          runId,
          status: run.status as 'FINISHED' | 'FAILED',
          ...(run.endTime === undefined ? {} : { endTime: run.endTime }),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 1 }, worker));
}

const quote = (text: string) => `'${text}'`;
const metricValue = (random: () => number) => (Math.round(random() * 100) / 100).toFixed(2);

/** Clause makers by entity; `runs` bounds the attribute values so a clause selects a share of the runs. */
const clauseMakers: Record<string, ((random: () => number, runs: number) => string)[]> = {
  metric: [
    (random) =>
      `metrics.m${1 + Math.floor(random() * 5)} ${pick(random, ['>', '>=', '<', '<=', '!='])} ${metricValue(random)}`,
    // Equality on a random double matches almost nothing: the most selective metric clause.
    (random) => `metrics.m${1 + Math.floor(random() * 5)} = ${metricValue(random)}`,
  ],
  param: [
    (random) => `params.p1 ${pick(random, ['=', '!='])} ${quote(pick(random, ['x', 'y', 'z']))}`,
    (random) => `params.p2 = ${quote(String(Math.floor(random() * 10)))}`,
    (random) => `params.p3 LIKE ${quote(`${Math.floor(random() * 10)}%`)}`,
    (random) => `params.p4 ILIKE ${quote(`0.0${Math.floor(random() * 5)}`)}`,
    (random, runs) => `params.p5 = ${quote(`cfg-${Math.floor(random() * runs)}`)}`,
  ],
  tag: [
    (random) => `tags.t1 ${pick(random, ['=', '!='])} ${quote(`v${Math.floor(random() * 7)}`)}`,
    () => `tags.t2 = 'gold'`,
    (random) => `tags.\`mlflow.runName\` LIKE ${quote(`run-${1 + Math.floor(random() * 9)}%`)}`,
  ],
  attribute: [
    (random) => `attributes.status = ${quote(pick(random, ['FINISHED', 'FAILED', 'RUNNING']))}`,
    () => `attributes.status != 'FINISHED'`,
    (random, runs) =>
      `attributes.start_time ${pick(random, ['>', '<'])} ${baseTime + Math.floor(random() * runs) * 1_000}`,
    (random) => `attributes.user_id = ${quote(`user-${Math.floor(random() * 5)}`)}`,
    (random) => `attributes.run_name LIKE ${quote(`run-${1 + Math.floor(random() * 9)}%`)}`,
  ],
};

const orderKeys = [
  ...[1, 2, 3, 4, 5].map((m) => `metrics.m${m}`),
  'params.p1',
  'params.p3',
  'params.p5',
  'tags.t1',
  'attributes.start_time',
  'attributes.end_time',
  'attributes.run_name',
  'attributes.status',
];

/**
 * `count` random shapes over runs seeded by {@link seedSearchRuns} (`runs` of them): 0-3 filter clauses
 * over metrics, params, tags and attributes, 0-2 order keys, page sizes 1-1,000 spread evenly on a log
 * scale (the UI's 100 among them). The same seed gives the same shapes.
 */
export function randomSearchShapes(count: number, runs: number, seed = 1): SearchShape[] {
  const random = randomSource(seed);
  const entities = Object.keys(clauseMakers);
  return Array.from({ length: count }, () => {
    const clauses = Array.from({ length: Math.floor(random() * 4) }, () =>
      pick(random, clauseMakers[pick(random, entities)] ?? [])(random, runs),
    );
    const orderBy: string[] = [];
    for (let i = Math.floor(random() * 3); i > 0; i -= 1) {
      const key = pick(random, orderKeys);
      if (!orderBy.some((existing) => existing.startsWith(`${key} `)))
        orderBy.push(`${key} ${random() < 0.5 ? 'ASC' : 'DESC'}`);
    }
    const maxResults = Math.max(1, Math.min(1_000, Math.round(Math.exp(random() * Math.log(1_000)))));
    const filter = clauses.join(' and ');
    return {
      name: `[${filter}] order [${orderBy.join(', ')}] x${maxResults}`,
      filter,
      orderBy,
      maxResults,
    };
  });
}

/**
 * Shapes that have shown a plan cliff, kept in every run by name. The first is Cairn issue 20's: over
 * 20,000 runs SQLite scanned half of `latest_metrics (key, value)` for every run (13-16 s instead of 30 ms).
 */
export const knownCliffShapes: readonly SearchShape[] = [90, 100, 120, 140].map((maxResults) => ({
  name: `issue 20: [metrics.m1 > 0.5 and params.p1 = 'x'] order [metrics.m2 DESC] x${maxResults}`,
  filter: "metrics.m1 > 0.5 and params.p1 = 'x'",
  orderBy: ['metrics.m2 DESC'],
  maxResults,
}));
