import { CairnError } from '@cairn/core';
import { sql } from 'kysely';
import { renderIndex, tableSpec } from '../schema/render-schema.js';
import type { MigrationContext, MigrationStep } from './migration-context.js';

/** The MCP version columns that become binary-collated, and whether each is nullable. */
const versionColumns = [
  ['mcp_server_versions', 'version', false],
  ['mcp_server_version_tags', 'version', false],
  ['mcp_server_aliases', 'version', false],
  ['mcp_access_endpoints', 'server_version', true],
] as const;

/** Tables that point at a version, with their server-name and version columns. */
const versionReferences = [
  ['mcp_server_version_tags', 'name', 'version'],
  ['mcp_server_aliases', 'name', 'version'],
  ['mcp_access_endpoints', 'server_name', 'server_version'],
] as const;

/**
 * Refuses, before any change, a database where a reference matches its version only case-insensitively:
 * once versions compare byte for byte that reference would dangle.
 */
async function checkReferences(context: MigrationContext): Promise<void> {
  for (const [table, nameColumn, versionColumn] of versionReferences) {
    const rows = await sql<{ name: string; reference: string; version: string }>`
      SELECT r.${sql.ref(nameColumn)} AS name, r.${sql.ref(versionColumn)} AS reference, v.version AS version
      FROM ${sql.table(table)} r JOIN mcp_server_versions v
        ON r.workspace = v.workspace AND r.${sql.ref(nameColumn)} = v.name AND r.${sql.ref(versionColumn)} = v.version
      WHERE BINARY r.${sql.ref(versionColumn)} <> BINARY v.version LIMIT 1`.execute(context.db);
    const row = rows.rows[0];
    if (row !== undefined) {
      throw new CairnError(
        'INVALID_STATE',
        `Cannot make MCP server versions case-sensitive: ${table}.${versionColumn} holds '${row.reference}' for server '${row.name}' but the stored version is '${row.version}'; correct the reference to the exact stored text and run the upgrade again (nothing was changed by this step)`,
      );
    }
  }
}

async function hasConstraint(context: MigrationContext, table: string, name: string, type: string) {
  const rows = await sql<{ found: number }>`
    SELECT 1 AS found FROM information_schema.table_constraints
    WHERE table_schema = database() AND table_name = ${table} AND constraint_type = ${type}
      AND constraint_name = ${name}`.execute(context.db);
  return rows.rows.length > 0;
}

async function isBinaryCollated(context: MigrationContext, table: string, column: string) {
  const rows = await sql<{ collation: string | null }>`
    SELECT collation_name AS collation FROM information_schema.columns
    WHERE table_schema = database() AND table_name = ${table} AND column_name = ${column}`.execute(
    context.db,
  );
  return rows.rows[0]?.collation === 'utf8mb4_bin';
}

/**
 * MLflow 3.18.0's revision f4a9b2c7d1e6: on MySQL the MCP version columns switch to `utf8mb4_bin` so
 * `1.0.0-RC1` and `1.0.0-rc1` are different versions (SQLite and PostgreSQL already compare exactly, so
 * there it only moves the revision). The keys and index over those columns are dropped and rebuilt
 * around the change; each piece is checked first, so an interrupted run resumes.
 */
export const makeMcpVersionsCaseSensitive: MigrationStep = {
  from: '8b6ad64cb8f5',
  to: 'f4a9b2c7d1e6',
  description: 'make MCP server versions case-sensitive',
  async up(context) {
    if (context.dialect !== 'mysql') return;
    let pending = false;
    for (const [table, column] of versionColumns) {
      if (!(await isBinaryCollated(context, table, column))) pending = true;
    }
    if (pending) await checkReferences(context);
    if (
      await hasConstraint(
        context,
        'mcp_server_version_tags',
        'mcp_server_version_tags_version_fkey',
        'FOREIGN KEY',
      )
    ) {
      await context.execute(
        'ALTER TABLE `mcp_server_version_tags` DROP FOREIGN KEY `mcp_server_version_tags_version_fkey`',
      );
    }
    if (pending && (await context.hasIndex('mcp_access_endpoints', 'ix_mcp_access_endpoints_version'))) {
      await context.execute('DROP INDEX `ix_mcp_access_endpoints_version` ON `mcp_access_endpoints`');
    }
    for (const table of ['mcp_server_version_tags', 'mcp_server_versions']) {
      if (pending && (await hasConstraint(context, table, 'PRIMARY', 'PRIMARY KEY'))) {
        await context.execute(`ALTER TABLE \`${table}\` DROP PRIMARY KEY`);
      }
    }
    for (const [table, column, nullable] of versionColumns) {
      if (await isBinaryCollated(context, table, column)) continue;
      await context.execute(
        `ALTER TABLE \`${table}\` MODIFY \`${column}\` VARCHAR(128) COLLATE utf8mb4_bin${nullable ? ' NULL' : ' NOT NULL'}`,
      );
    }
    for (const table of ['mcp_server_versions', 'mcp_server_version_tags']) {
      if (!(await hasConstraint(context, table, 'PRIMARY', 'PRIMARY KEY'))) {
        const columns = tableSpec(table)
          .primaryKey.columns.map((column) => `\`${column}\``)
          .join(', ');
        await context.execute(`ALTER TABLE \`${table}\` ADD PRIMARY KEY (${columns})`);
      }
    }
    if (
      !(await hasConstraint(
        context,
        'mcp_server_version_tags',
        'mcp_server_version_tags_version_fkey',
        'FOREIGN KEY',
      ))
    ) {
      await context.execute(
        'ALTER TABLE `mcp_server_version_tags` ADD CONSTRAINT `mcp_server_version_tags_version_fkey` FOREIGN KEY (`workspace`, `name`, `version`) REFERENCES `mcp_server_versions` (`workspace`, `name`, `version`) ON DELETE CASCADE ON UPDATE CASCADE',
      );
    }
    if (!(await context.hasIndex('mcp_access_endpoints', 'ix_mcp_access_endpoints_version'))) {
      const spec = tableSpec('mcp_access_endpoints');
      const index = spec.indexes?.find((candidate) => candidate.name === 'ix_mcp_access_endpoints_version');
      if (index !== undefined) await context.execute(renderIndex('mysql', spec, index));
    }
  },
};
