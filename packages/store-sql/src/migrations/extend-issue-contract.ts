import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { MigrationContext, MigrationStep } from './migration-context.js';

/** The key MLflow files an issue category under: SHA-256 of its trimmed, lower-cased text. */
function categoryHash(category: string): string {
  return createHash('sha256').update(category.trim().toLowerCase(), 'utf8').digest('hex');
}

/** The distinct categories of one issue's JSON array, keyed by hash (a later spelling wins, as in MLflow). */
function categoriesOf(json: string): Map<string, string> {
  const byHash = new Map<string, string>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // A malformed value cannot be split; the original column keeps it for readers.
    return byHash;
  }
  if (!Array.isArray(parsed)) return byHash;
  for (const category of parsed) {
    if (typeof category === 'string') byHash.set(categoryHash(category), category);
  }
  return byHash;
}

/** Copies each issue's categories JSON into issue_categories rows, skipping rows already copied. */
async function backfillCategories(context: MigrationContext): Promise<void> {
  const issues = await sql<{ issue_id: string; categories: string }>`
    SELECT issue_id, categories FROM issues WHERE categories IS NOT NULL`.execute(context.db);
  for (const issue of issues.rows) {
    const existing = await sql<{ category_hash: string }>`
      SELECT category_hash FROM issue_categories WHERE issue_id = ${issue.issue_id}`.execute(context.db);
    const done = new Set(existing.rows.map((row) => row.category_hash));
    for (const [hash, category] of categoriesOf(issue.categories)) {
      if (done.has(hash)) continue;
      await sql`
        INSERT INTO issue_categories (issue_id, category_hash, category)
        VALUES (${issue.issue_id}, ${hash}, ${category})`.execute(context.db);
    }
  }
}

/**
 * MLflow 3.18.0's revision 8b6ad64cb8f5: issues gain last-seen / last-updated-by / metadata columns and
 * two indexes, and their categories move into an indexed issue_categories table (the JSON column stays).
 */
export const extendIssueContract: MigrationStep = {
  from: 'e7d1f4b2a9c6',
  to: '8b6ad64cb8f5',
  description: 'extend issue contract',
  async up(context) {
    for (const column of ['last_seen_timestamp', 'last_updated_by', 'metadata']) {
      await context.addColumn('issues', column);
    }
    await context.createIndex('issues', 'index_issues_experiment_last_seen');
    await context.createIndex('issues', 'index_issues_experiment_updated');
    await context.createTable('issue_categories');
    // MLflow sets every row; only unset rows here, so a MySQL re-run keeps values written in between.
    await sql`UPDATE issues SET last_seen_timestamp = created_timestamp WHERE last_seen_timestamp IS NULL`.execute(
      context.db,
    );
    await backfillCategories(context);
  },
};
