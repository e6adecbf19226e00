import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnError, type TrackingStore } from '@cairn/core';
import { createMemoryTrackingStore } from '@cairn/store-memory';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlDatabase } from './open-sql-database.js';
import { createSqlTrackingStore } from './sql-tracking-store.js';
import { createServerDatabase, type ServerDatabase } from './testing/server-database.js';

/**
 * Differential fuzzing of search pushdown: random filters full of hostile literals and keys (quotes,
 * backslashes, LIKE wildcards, SQL fragments, unicode) run against the SQL store and against the in-memory
 * reference store holding the same runs. They must agree run for run, or both refuse the filter with
 * INVALID_PARAMETER_VALUE; no filter may reach the database as SQL, and no table may change.
 */

const hostile = [
  "'",
  "''",
  "' OR '1'='1",
  "'; DROP TABLE runs; --",
  '"; DROP TABLE runs; --',
  '\\',
  '\\%',
  '%',
  '_',
  'a%b_c',
  '%%',
  'x\\_y',
  '--',
  '/* c */',
  ') OR (1=1',
  'NULL',
  'null',
  'Robert`); DROP TABLE params;--',
  'ünïcødé ☃ 𝄞',
  'MiXeD',
  'mixed',
  '',
  ' ',
  '0.5',
  '1e309',
];

const keys = ['p0', 'p1', 't0', 'm0', 'weird key', "q'uote", 'back`tick'];

/** The same runs in every store: params, tags and metrics drawn from the hostile pool. */
async function populate(store: TrackingStore): Promise<string> {
  const experimentId = await store.createExperiment({ name: 'fuzz' });
  for (let r = 0; r < 24; r += 1) {
    const pick = (offset: number) => hostile[(r * 7 + offset) % hostile.length] ?? '';
    // Start times are unique: run ids differ between the stores, so ties must not reach the run_id tiebreak.
    const run = await store.createRun({ experimentId, runName: `run-${r}`, startTime: 1_000 + r });
    await store.logBatch({
      runId: run.info.run_id,
      params: [
        { key: 'p0', value: pick(0) },
        ...(r % 3 === 0 ? [] : [{ key: 'p1', value: pick(3) }]),
        { key: 'weird key', value: pick(5) },
      ],
      tags: [{ key: 't0', value: pick(1) }, ...(r % 4 === 0 ? [] : [{ key: 'q:uote', value: pick(2) }])],
      metrics: [
        { key: 'm0', value: r % 5 === 0 ? Number.NaN : (r - 10) / 4, timestamp: 1, step: 0 },
        ...(r % 2 === 0 ? [{ key: 'm1', value: r, timestamp: 1, step: 0 }] : []),
        // Few distinct values (ties), NaN on some runs, missing on others.
        ...(r % 7 === 0
          ? []
          : [{ key: 'm2', value: r % 11 === 1 ? Number.NaN : r % 3, timestamp: 1, step: 0 }]),
      ],
    });
  }
  return experimentId;
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const identifier = (prefix: string, key: string) =>
  /^[A-Za-z_][\w.]*$/u.test(key) ? `${prefix}.${key}` : `${prefix}.\`${key.replaceAll('`', '')}\``;

const literal = fc.oneof(fc.constantFrom(...hostile), fc.string({ maxLength: 6, unit: 'grapheme' }));
const stringComparison = fc
  .record({
    prefix: fc.constantFrom('params', 'tags', 'attributes'),
    key: fc.constantFrom(...keys, 'run_name', 'status'),
    op: fc.constantFrom('=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN', 'IS NULL', 'IS NOT NULL'),
    values: fc.array(literal, { minLength: 1, maxLength: 3 }),
  })
  .map(({ prefix, key, op, values }) => {
    const target =
      prefix === 'attributes'
        ? `attributes.${key === 'status' ? 'status' : 'run_name'}`
        : identifier(prefix, key);
    if (op === 'IN' || op === 'NOT IN') return `${target} ${op} (${values.map(quote).join(', ')})`;
    if (op === 'IS NULL' || op === 'IS NOT NULL') return `${target} ${op}`;
    return `${target} ${op} ${quote(values[0] ?? '')}`;
  });
const numericComparison = fc
  .record({
    key: fc.constantFrom('m0', 'm1', "q'uote"),
    op: fc.constantFrom('=', '!=', '<', '<=', '>', '>='),
    value: fc.oneof(fc.integer({ min: -5, max: 25 }), fc.double({ min: -10, max: 10, noNaN: true })),
  })
  .map(({ key, op, value }) => `${identifier('metrics', key)} ${op} ${value}`);
const filterArbitrary = fc
  .array(fc.oneof(stringComparison, numericComparison), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join(' AND '));

async function outcome(store: TrackingStore, experimentId: string, filter: string) {
  try {
    const page = await store.searchRuns({ experimentIds: [experimentId], filter, maxResults: 1000 });
    return { names: page.items.map((run) => run.info.run_name).sort() };
  } catch (error) {
    // Only MLflow's answer for a bad filter is allowed; a driver error would mean SQL leaked through.
    if (error instanceof CairnError && error.code === 'INVALID_PARAMETER_VALUE') return { rejected: true };
    throw error;
  }
}

/** Every run of a search, page by page (`pageSize` each, following tokens), in the store's order. */
async function orderedOutcome(
  store: TrackingStore,
  experimentId: string,
  filter: string,
  orderBy: string[],
  pageSize: number,
) {
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns({
      experimentIds: [experimentId],
      filter,
      orderBy,
      maxResults: pageSize,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    names.push(...page.items.map((run) => run.info.run_name));
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined && names.length <= 100);
  return names;
}

const metricFilter = fc
  .array(
    fc.record({
      key: fc.constantFrom('m0', 'm1', 'm2'),
      op: fc.constantFrom('=', '!=', '<', '<=', '>', '>=', 'IS NULL', 'IS NOT NULL'),
      value: fc.oneof(fc.integer({ min: -3, max: 12 }), fc.double({ min: -3, max: 3, noNaN: true })),
    }),
    { minLength: 0, maxLength: 3 },
  )
  .map((parts) =>
    parts
      .map(({ key, op, value }) =>
        op.startsWith('IS') ? `metrics.${key} ${op}` : `metrics.${key} ${op} ${value}`,
      )
      .join(' AND '),
  );
const metricOrder = fc.array(
  fc
    .record({ key: fc.constantFrom('m0', 'm1', 'm2'), direction: fc.constantFrom('ASC', 'DESC') })
    .map(({ key, direction }) => `metrics.${key} ${direction}`),
  { minLength: 1, maxLength: 2 },
);

async function tableCounts(uri: string) {
  const database = openSqlDatabase(uri);
  try {
    const counts: Record<string, number> = {};
    for (const table of ['experiments', 'runs', 'params', 'tags', 'metrics', 'latest_metrics']) {
      const row = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(
        database.db,
      );
      counts[table] = Number(row.rows[0]?.n);
    }
    return counts;
  } finally {
    await database.close();
  }
}

function fuzzSuite(name: string, uriFor: () => Promise<{ uri: string; cleanup(): Promise<void> }>) {
  describe(`search pushdown fuzz: ${name} agrees with the in-memory reference`, () => {
    let uri = '';
    let cleanup: () => Promise<void> = async () => {};
    let sqlStore: TrackingStore;
    let memoryStore: TrackingStore;
    let sqlExperiment = '';
    let memoryExperiment = '';

    beforeAll(async () => {
      ({ uri, cleanup } = await uriFor());
      sqlStore = createSqlTrackingStore({ uri });
      memoryStore = createMemoryTrackingStore();
      sqlExperiment = await populate(sqlStore);
      memoryExperiment = await populate(memoryStore);
    }, 120_000);
    afterAll(async () => {
      await sqlStore?.close();
      await memoryStore?.close();
      await cleanup();
    });

    it('returns the same runs for 300 random hostile filters, and changes no table', {
      timeout: 300_000,
    }, async () => {
      const before = await tableCounts(uri);
      await fc.assert(
        fc.asyncProperty(filterArbitrary, async (filter) => {
          const [fromSql, fromMemory] = await Promise.all([
            outcome(sqlStore, sqlExperiment, filter),
            outcome(memoryStore, memoryExperiment, filter),
          ]);
          expect(fromSql, filter).toEqual(fromMemory);
        }),
        { numRuns: 300 },
      );
      expect(await tableCounts(uri)).toEqual(before);
    });

    it('orders and pages 200 random metric filters with metric orderings as the reference does', {
      timeout: 300_000,
    }, async () => {
      // Filters on the sorted metric are folded into its join; NaN, missing values and ties must still
      // come out in core's order, and page tokens must continue exactly where the last page ended.
      await fc.assert(
        fc.asyncProperty(
          metricFilter,
          metricOrder,
          fc.integer({ min: 1, max: 7 }),
          async (filter, orderBy, size) => {
            const [fromSql, fromMemory] = await Promise.all([
              orderedOutcome(sqlStore, sqlExperiment, filter, orderBy, size),
              orderedOutcome(memoryStore, memoryExperiment, filter, orderBy, size),
            ]);
            expect(fromSql, `${filter} ORDER BY ${orderBy.join(', ')} pages of ${size}`).toEqual(fromMemory);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('finds a run by any hostile param value, matched exactly', async () => {
      for (const value of hostile) {
        const filter = `params.p0 = ${quote(value)}`;
        expect(await outcome(sqlStore, sqlExperiment, filter), filter).toEqual(
          await outcome(memoryStore, memoryExperiment, filter),
        );
      }
    });
  });
}

fuzzSuite('SQLite', async () => ({
  uri: `sqlite:///${join(mkdtempSync(join(tmpdir(), 'cairn-sql-fuzz-')), 'fuzz.db')}`,
  cleanup: async () => {},
}));

for (const [name, variable] of [
  ['PostgreSQL', 'CAIRN_TEST_POSTGRES_URI'],
  ['MariaDB', 'CAIRN_TEST_MYSQL_URI'],
] as const) {
  const adminUri = process.env[variable];
  if (!adminUri) {
    console.log(`SKIPPED: store-sql search fuzz on ${name} — set ${variable}`);
    continue;
  }
  fuzzSuite(name, async () => {
    const database: ServerDatabase = await createServerDatabase(adminUri, 'cairn_fuzz');
    return { uri: database.uri, cleanup: () => database.drop() };
  });
}
