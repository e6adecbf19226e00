import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlDatabase } from '../open-sql-database.js';
import { createServerDatabase, type ServerDatabase } from '../testing/server-database.js';
import { upgradeDatabase } from '../upgrade-database.js';
import { cairnIndexes } from './cairn-indexes.js';

const python = process.env.CAIRN_MLFLOW_PYTHON ?? '';

/** Whether the MLflow python can import a database driver (install-mlflow.sh does not add them). */
async function pythonHas(module: string): Promise<boolean> {
  if (python === '') return false;
  try {
    await promisify(execFile)(python, ['-c', `import ${module}`]);
    return true;
  } catch {
    return false;
  }
}

/** Catalog queries whose rows describe a schema: columns, indexes and constraints. */
const shapeQueries = {
  postgres: [
    sql`SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default, numeric_precision, is_identity
        FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2`,
    sql`SELECT indexname, regexp_replace(indexdef, '[a-z_]+\\.', '', 'g') AS definition FROM pg_indexes
        WHERE schemaname = current_schema() AND indexname NOT LIKE 'cairn\\_%' ORDER BY 1`,
    sql`SELECT conrelid::regclass::text AS table_name, contype, conname, pg_get_constraintdef(oid) AS definition
        FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2, 4`,
  ],
  mysql: [
    sql`SELECT table_name, column_name, column_type, is_nullable, column_default, extra
        FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1, 2`,
    sql`SELECT table_name, index_name, non_unique,
          GROUP_CONCAT(CONCAT(column_name, IFNULL(CONCAT('(', sub_part, ')'), ''), ' ', IFNULL(collation, '')) ORDER BY seq_in_index) AS columns
        FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name NOT LIKE 'cairn\\_%'
        GROUP BY 1, 2, 3 ORDER BY 1, 2`,
    sql`SELECT k.table_name, k.constraint_name, GROUP_CONCAT(k.column_name ORDER BY k.ordinal_position) AS columns,
          IFNULL(k.referenced_table_name, '') AS referenced, IFNULL(r.update_rule, '') AS on_update, IFNULL(r.delete_rule, '') AS on_delete
        FROM information_schema.key_column_usage k LEFT JOIN information_schema.referential_constraints r
          ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name
        WHERE k.table_schema = DATABASE() GROUP BY 1, 2, 4, 5, 6 ORDER BY 1, 2`,
    sql`SELECT table_name, constraint_name, check_clause FROM information_schema.check_constraints
        WHERE constraint_schema = DATABASE() ORDER BY 1, 2`,
  ],
};

async function schemaShape(uri: string): Promise<unknown[][]> {
  const database = openSqlDatabase(uri);
  try {
    const queries = database.dialect === 'postgres' ? shapeQueries.postgres : shapeQueries.mysql;
    const shapes: unknown[][] = [];
    for (const query of queries) shapes.push((await query.execute(database.db)).rows);
    return shapes;
  } finally {
    await database.close();
  }
}

const servers = [
  {
    name: 'PostgreSQL',
    variable: 'CAIRN_TEST_POSTGRES_URI',
    module: 'psycopg2',
    scheme: 'postgresql+psycopg2',
  },
  { name: 'MySQL/MariaDB', variable: 'CAIRN_TEST_MYSQL_URI', module: 'pymysql', scheme: 'mysql+pymysql' },
] as const;

for (const server of servers) {
  const adminUri = process.env[server.variable] ?? '';
  const ready = adminUri !== '' && (await pythonHas(server.module));
  if (!ready) {
    console.log(
      `SKIPPED: store-sql schema matches MLflow 3.18.0 on ${server.name} — set ${server.variable} and CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 and ${server.module}`,
    );
  }
  describe.skipIf(!ready)(`store-sql schema matches MLflow 3.18.0 on ${server.name}`, () => {
    const created: ServerDatabase[] = [];
    afterAll(async () => {
      for (const database of created) await database.drop();
    });

    it('has the same columns, indexes and constraints as a database MLflow creates', {
      timeout: 180_000,
    }, async () => {
      const theirs = await createServerDatabase(adminUri, 'cairn_mlflow');
      const ours = await createServerDatabase(adminUri, 'cairn_ours');
      created.push(theirs, ours);
      const mlflowUri = theirs.uri.replace(/^[a-z]+:/u, `${server.scheme}:`);
      await promisify(execFile)(python, [
        '-c',
        'import sys\nfrom mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore\nSqlAlchemyStore(sys.argv[1], "/tmp/cairn-sql-artifacts")',
        mlflowUri,
      ]);
      await upgradeDatabase(ours.uri);
      const [expected, actual] = [await schemaShape(theirs.uri), await schemaShape(ours.uri)];
      for (const [index, rows] of expected.entries()) expect(actual[index]).toEqual(rows);

      // MLflow opens Cairn's database as up to date (it refuses one whose revision is not its head).
      const { stdout } = await promisify(execFile)(python, [
        '-c',
        'import sys\nfrom mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore\nprint(SqlAlchemyStore(sys.argv[1], "/tmp/cairn-sql-artifacts").get_experiment("0").name)',
        ours.uri.replace(/^[a-z]+:/u, `${server.scheme}:`),
      ]);
      expect(stdout.trim().split('\n').pop()).toBe('Default');
      // cairn db upgrade adds Cairn's own indexes to MLflow's database, once.
      const ourIndexes = cairnIndexes.map((index) => index.name);
      expect(await upgradeDatabase(theirs.uri)).toMatchObject({ addedIndexes: ourIndexes });
      expect(await upgradeDatabase(theirs.uri)).toMatchObject({ addedIndexes: [], cairnIndexes: ourIndexes });
    });
  });
}
