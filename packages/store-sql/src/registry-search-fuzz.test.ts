import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnError, type RegistryStore } from '@cairn/core';
import { createMemoryRegistryStore } from '@cairn/store-memory';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlRegistryStore } from './sql-registry-store.js';
import { createServerDatabase, type ServerDatabase } from './testing/server-database.js';

/**
 * Differential fuzzing of the registry's search pushdown: random filters full of hostile literals run
 * against the SQL registry and the in-memory reference holding the same models and versions, ordered by
 * name and version number (timestamps differ between two stores) and read page by page. They must agree
 * item for item, or both refuse the filter with INVALID_PARAMETER_VALUE; no literal may reach SQL as SQL.
 */

const hostile = [
  "'",
  "' OR '1'='1",
  "'; DROP TABLE registered_models; --",
  '\\',
  '\\%',
  '%',
  '_',
  'a%b_c',
  'x\\_y',
  ') OR (1=1',
  'NULL',
  'ünïcødé ☃',
  'MiXeD',
  'mixed',
  '',
  ' ',
];

/** Model names drawn from the hostile pool (no `/` or `:`, which names may not hold). */
const modelNames = hostile.filter((text) => text.trim() !== '').map((text, index) => `${index}${text}`);

async function populate(store: RegistryStore): Promise<void> {
  for (const [index, name] of modelNames.entries()) {
    const pick = (offset: number) => hostile[(index * 5 + offset) % hostile.length] ?? '';
    await store.createRegisteredModel({
      name,
      tags: index % 3 === 0 ? [] : [{ key: 't0', value: pick(1) }],
    });
    for (let version = 0; version < (index % 4) + 1; version += 1) {
      await store.createModelVersion({
        name,
        source: `s3://bucket/${pick(version)}/${version}`,
        runId: `${'ab'[version % 2]}${'0'.repeat(31)}`,
        tags: version % 2 === 0 ? [{ key: 'v0', value: pick(version + 2) }] : [],
      });
    }
    if (index % 5 === 1) await store.deleteModelVersion(name, '1');
  }
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const literal = fc.oneof(fc.constantFrom(...hostile, ...modelNames), fc.string({ maxLength: 4 }));
const stringOps = fc.constantFrom('=', '!=', 'LIKE', 'ILIKE');

// Lists are allowed on names only; a list on a tag is refused by both stores, which tests little.
const modelClause = fc.oneof(
  fc
    .record({
      op: fc.constantFrom('=', '!=', 'LIKE', 'ILIKE', 'IN'),
      values: fc.array(literal, { minLength: 1, maxLength: 3 }),
    })
    .map(({ op, values }) =>
      op === 'IN' ? `name IN (${values.map(quote).join(', ')})` : `name ${op} ${quote(values[0] ?? '')}`,
    ),
  fc
    .record({ target: fc.constantFrom('tags.t0', 'tags.`other`'), op: stringOps, value: literal })
    .map(({ target, op, value }) => `${target} ${op} ${quote(value)}`),
);
const versionClause = fc.oneof(
  fc
    .record({
      target: fc.constantFrom('name', 'run_id', 'source_path', 'tags.v0'),
      op: fc.oneof(stringOps, fc.constantFrom('IN')),
      values: fc.array(literal, { minLength: 1, maxLength: 3 }),
    })
    .map(({ target, op, values }) =>
      op === 'IN'
        ? `${target} IN (${values.map(quote).join(', ')})`
        : `${target} ${op} ${quote(values[0] ?? '')}`,
    ),
  fc
    .record({ op: fc.constantFrom('=', '!=', '<', '<=', '>', '>='), value: fc.integer({ min: 0, max: 5 }) })
    .map(({ op, value }) => `version_number ${op} ${value}`),
);

async function pages<T>(
  search: (pageToken?: string) => Promise<{ items: T[]; nextPageToken?: string }>,
  view: (item: T) => string,
): Promise<string[] | 'rejected'> {
  const seen: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await search(token);
      seen.push(...page.items.map(view));
      token = page.nextPageToken;
    } while (token !== undefined && seen.length < 500);
  } catch (error) {
    // Only MLflow's answer for a bad filter is allowed; a driver error would mean SQL leaked through.
    if (error instanceof CairnError && error.code === 'INVALID_PARAMETER_VALUE') return 'rejected';
    throw error;
  }
  return seen;
}

/** How the outcomes of one property split, so a fuzz that only ever rejects or matches nothing fails. */
interface Tally {
  rejected: number;
  empty: number;
  found: number;
}

const count = (tally: Tally, outcome: string[] | 'rejected') => {
  if (outcome === 'rejected') tally.rejected += 1;
  else if (outcome.length === 0) tally.empty += 1;
  else tally.found += 1;
};

function fuzzSuite(name: string, uriFor: () => Promise<{ uri: string; cleanup(): Promise<void> }>) {
  describe(`registry search fuzz: ${name} agrees with the in-memory reference`, () => {
    let cleanup: () => Promise<void> = async () => {};
    let sqlStore: RegistryStore;
    const memoryStore = createMemoryRegistryStore();

    beforeAll(async () => {
      const target = await uriFor();
      cleanup = target.cleanup;
      sqlStore = createSqlRegistryStore({ uri: target.uri });
      await populate(sqlStore);
      await populate(memoryStore);
    }, 120_000);
    afterAll(async () => {
      await sqlStore?.close();
      await cleanup();
    });

    it('finds and pages the same registered models for 150 random hostile filters', {
      timeout: 300_000,
    }, async () => {
      const tally: Tally = { rejected: 0, empty: 0, found: 0 };
      await fc.assert(
        fc.asyncProperty(
          fc.array(modelClause, { minLength: 1, maxLength: 2 }),
          fc.constantFrom('name ASC', 'name DESC'),
          fc.integer({ min: 1, max: 5 }),
          async (clauses, order, size) => {
            const filter = clauses.join(' AND ');
            const run = (store: RegistryStore) =>
              pages(
                (pageToken) =>
                  store.searchRegisteredModels({
                    filter,
                    orderBy: [order],
                    maxResults: size,
                    ...(pageToken === undefined ? {} : { pageToken }),
                  }),
                (model) => model.name,
              );
            const fromSql = await run(sqlStore);
            expect(fromSql, filter).toEqual(await run(memoryStore));
            count(tally, fromSql);
          },
        ),
        { numRuns: 150 },
      );
      console.log(`registry fuzz on ${name}: ${JSON.stringify(tally)}`);
      expect(tally.found).toBeGreaterThan(10);
    });

    it('finds and pages the same model versions for 150 random hostile filters', {
      timeout: 300_000,
    }, async () => {
      const tally: Tally = { rejected: 0, empty: 0, found: 0 };
      await fc.assert(
        fc.asyncProperty(
          fc.array(versionClause, { minLength: 1, maxLength: 2 }),
          fc.constantFrom(['name ASC', 'version_number DESC'], ['version_number ASC', 'name DESC']),
          fc.integer({ min: 1, max: 6 }),
          async (clauses, orderBy, size) => {
            const filter = clauses.join(' AND ');
            const run = (store: RegistryStore) =>
              pages(
                (pageToken) =>
                  store.searchModelVersions({
                    filter,
                    orderBy: [...orderBy],
                    maxResults: size,
                    ...(pageToken === undefined ? {} : { pageToken }),
                  }),
                (version) => `${version.name}/${version.version}`,
              );
            const fromSql = await run(sqlStore);
            expect(fromSql, filter).toEqual(await run(memoryStore));
            count(tally, fromSql);
          },
        ),
        { numRuns: 150 },
      );
      console.log(`registry fuzz on ${name}: ${JSON.stringify(tally)}`);
      expect(tally.found).toBeGreaterThan(10);
    });
  });
}

fuzzSuite('SQLite', async () => ({
  uri: `sqlite:///${join(mkdtempSync(join(tmpdir(), 'cairn-sql-registry-fuzz-')), 'fuzz.db')}`,
  cleanup: async () => {},
}));

for (const [name, variable] of [
  ['PostgreSQL', 'CAIRN_TEST_POSTGRES_URI'],
  ['MariaDB', 'CAIRN_TEST_MYSQL_URI'],
] as const) {
  const adminUri = process.env[variable];
  if (!adminUri) {
    console.log(`SKIPPED: store-sql registry search fuzz on ${name} — set ${variable}`);
    continue;
  }
  fuzzSuite(name, async () => {
    const database: ServerDatabase = await createServerDatabase(adminUri, 'cairn_reg_fuzz');
    return { uri: database.uri, cleanup: () => database.drop() };
  });
}
