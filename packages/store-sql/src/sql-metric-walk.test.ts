import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackingStore } from '@cairn/core';
import { createMemoryTrackingStore } from '@cairn/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlTrackingStore } from './sql-tracking-store.js';

/**
 * The bounded walk of a metric's value index (SQLite with Cairn's index): over more runs than one walk
 * visits (1,000 entries for pages up to 100), every way a page can be found — inside the walk, by falling
 * back when the filter matches too few runs or a tie straddles the walk's end, and past the last value into
 * NaN and missing metrics — must page exactly as core's in-memory reference does.
 */
const runs = 2_400;

async function populate(store: TrackingStore): Promise<string> {
  const experimentId = await store.createExperiment({ name: 'walk' });
  for (let r = 0; r < runs; r += 1) {
    // Start times are unique: run ids differ between the stores, so ties must not reach the run_id tiebreak.
    const run = await store.createRun({ experimentId, runName: `run-${r}`, startTime: 1_000 + r });
    const metrics = [
      // Few distinct values: long runs of ties, some crossing the end of a walk.
      { key: 'tied', value: r % 40 === 0 ? Number.NaN : Math.floor((r * 7) % 97) / 4, timestamp: 1, step: 0 },
      { key: 'spread', value: (r * 7919) % 2_400, timestamp: 1, step: 0 },
      // Three values: a walk's last entry ties with hundreds of others.
      { key: 'flat', value: r % 3, timestamp: 1, step: 0 },
    ];
    // A third of the runs lack `sparse`.
    if (r % 3 !== 0) metrics.push({ key: 'sparse', value: r % 13, timestamp: 1, step: 0 });
    await store.logBatch({ runId: run.info.run_id, metrics, params: [{ key: 'p', value: String(r % 50) }] });
  }
  return experimentId;
}

async function pages(
  store: TrackingStore,
  experimentId: string,
  filter: string,
  orderBy: string[],
  size: number,
) {
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns({
      experimentIds: [experimentId],
      filter,
      orderBy,
      maxResults: size,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    names.push(...page.items.map((run) => run.info.run_name));
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return names;
}

describe('run search walking a metric index on SQLite', () => {
  let sqlStore: TrackingStore;
  let memoryStore: TrackingStore;
  let sqlExperiment = '';
  let memoryExperiment = '';
  beforeAll(async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cairn-sql-walk-')), 'walk.db');
    sqlStore = createSqlTrackingStore({ uri: `sqlite:///${path}` });
    memoryStore = createMemoryTrackingStore();
    [sqlExperiment, memoryExperiment] = await Promise.all([populate(sqlStore), populate(memoryStore)]);
  }, 300_000);
  afterAll(async () => {
    await sqlStore?.close();
    await memoryStore?.close();
  });

  const cases: [string, string, string[], number][] = [
    ['no filter, many ties, NaN last', '', ['metrics.tied DESC'], 100],
    ['no filter, ascending, missing last', '', ['metrics.sparse ASC', 'metrics.spread DESC'], 97],
    ['a filter most runs meet: found inside the walk', "params.p != '7'", ['metrics.spread DESC'], 50],
    [
      'a filter few runs meet: falls back',
      "params.p = '7' and metrics.sparse = 5",
      ['metrics.spread ASC'],
      10,
    ],
    [
      'a tie across the end of a walk: falls back',
      "params.p LIKE '1_' and metrics.sparse != 0",
      ['metrics.flat DESC'],
      100,
    ],
    [
      'a tie across the end of a walk, ascending',
      "params.p LIKE '2%'",
      ['metrics.flat ASC', 'metrics.spread DESC'],
      99,
    ],
    ['a folded filter on the sorted metric', 'metrics.tied > 5', ['metrics.tied ASC'], 64],
    ['a page larger than a walk allows', '', ['metrics.spread ASC'], 1_000],
  ];
  for (const [name, filter, orderBy, size] of cases) {
    it(`pages as the reference does: ${name}`, { timeout: 120_000 }, async () => {
      const [fromSql, fromMemory] = await Promise.all([
        pages(sqlStore, sqlExperiment, filter, orderBy, size),
        pages(memoryStore, memoryExperiment, filter, orderBy, size),
      ]);
      expect(fromSql.length).toBeGreaterThan(0);
      expect(fromSql).toEqual(fromMemory);
    });
  }
});
