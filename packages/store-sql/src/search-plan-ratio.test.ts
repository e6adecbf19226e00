import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackingStore } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlTrackingStore } from './sql-tracking-store.js';
import {
  knownCliffShapes,
  randomSearchShapes,
  type SearchShape,
  seedSearchRuns,
} from './testing/search-shapes.js';
import { createServerDatabase, type ServerDatabase } from './testing/server-database.js';

/**
 * Plan regressions in run search (Cairn issue 20): over the same runs, every shape of filter, order and
 * page size must cost about what the plain search with that page size costs, whatever plan the database
 * picks. Times are compared as ratios measured side by side in one run, never against a wall clock, so a
 * loaded machine slows both sides alike. The cliff was ~500x at 20,000 runs and grows with the
 * runs (a scan of half a metric's values per run); at 2,000 runs it is still ~50x, a healthy shape under 10x.
 */

const runs = 6_000;
/** How many times slower than the plain search a shape may be before it counts as a cliff. */
const allowedRatio = 20;
const repetitions = 3;

/** The fastest of a few timings: a loaded machine only ever adds time, so the minimum is the least noisy. */
async function fastest(search: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repetitions; i += 1) {
    const start = performance.now();
    await search();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function planSuite(name: string, uriFor: () => Promise<{ uri: string; cleanup(): Promise<void> }>) {
  describe(`run search plans: ${name}`, () => {
    let store: TrackingStore;
    let experimentId = '';
    let cleanup: () => Promise<void> = async () => {};
    const plainTimes = new Map<number, number>();

    const timeShape = (shape: SearchShape) =>
      fastest(() =>
        store.searchRuns({
          experimentIds: [experimentId],
          filter: shape.filter,
          orderBy: shape.orderBy,
          maxResults: shape.maxResults,
        }),
      );
    const timePlain = (maxResults: number) =>
      fastest(() => store.searchRuns({ experimentIds: [experimentId], maxResults }));

    /** The shape's time over the plain search's, each re-measured before a ratio past the bound counts. */
    async function ratio(shape: SearchShape): Promise<number> {
      let plain = plainTimes.get(shape.maxResults) ?? (await timePlain(shape.maxResults));
      plainTimes.set(shape.maxResults, plain);
      let worst = (await timeShape(shape)) / plain;
      for (let retry = 0; retry < 2 && worst > allowedRatio; retry += 1) {
        plain = Math.max(plain, await timePlain(shape.maxResults));
        worst = Math.min(worst, (await timeShape(shape)) / plain);
      }
      return worst;
    }

    beforeAll(async () => {
      const database = await uriFor();
      cleanup = database.cleanup;
      store = createSqlTrackingStore({ uri: database.uri });
      experimentId = await store.createExperiment({ name: 'plans' });
      await seedSearchRuns(store, experimentId, runs, { concurrency: 4 });
    }, 600_000);
    afterAll(async () => {
      await store?.close();
      await cleanup();
    });

    it(`costs every shape at most ${allowedRatio}x the plain search over ${runs} runs`, {
      timeout: 600_000,
    }, async () => {
      const shapes = [...knownCliffShapes, ...randomSearchShapes(60, runs, 20)];
      const measured: { name: string; ratio: number }[] = [];
      for (const shape of shapes) measured.push({ name: shape.name, ratio: await ratio(shape) });
      measured.sort((a, b) => b.ratio - a.ratio);
      const cliffs = measured.filter((entry) => entry.ratio > allowedRatio);
      const worst = measured
        .slice(0, 5)
        .map((entry) => `${entry.ratio.toFixed(1)}x ${entry.name}`)
        .join('\n');
      console.log(`${name}: the worst ratios to the plain search over ${runs} runs:\n${worst}`);
      expect(cliffs, `shapes slower than ${allowedRatio}x the plain search; the worst:\n${worst}`).toEqual(
        [],
      );
    });
  });
}

planSuite('SQLite', async () => ({
  uri: `sqlite:///${join(mkdtempSync(join(tmpdir(), 'cairn-sql-plans-')), 'plans.db')}`,
  cleanup: async () => {},
}));

for (const [name, variable] of [
  ['PostgreSQL', 'CAIRN_TEST_POSTGRES_URI'],
  ['MariaDB', 'CAIRN_TEST_MYSQL_URI'],
] as const) {
  const adminUri = process.env[variable];
  if (!adminUri) {
    console.log(`SKIPPED: store-sql search plans on ${name} — set ${variable}`);
    continue;
  }
  planSuite(name, async () => {
    const database: ServerDatabase = await createServerDatabase(adminUri, 'cairn_plans');
    return { uri: database.uri, cleanup: () => database.drop() };
  });
}
