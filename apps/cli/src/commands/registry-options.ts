import type { ModelVersion, Page, RegisteredModel } from '@cairn/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../cli-context.js';
import { formatTimestamp, renderTable } from '../format.js';
import { parsePositiveInt } from '../view-type.js';

/** How the registry command groups register a handler (the program's `action`). */
export type RegistryAction = (
  command: Command,
  handler: (context: CommandContext, options: Record<string, unknown>) => Promise<void>,
) => void;

export const nameOption = () =>
  new Option('-n, --name <name>', 'the registered model name').makeOptionMandatory();
/**
 * The version flag is `--model-version` (short `-v`): `--version` is the program's own flag, which commander
 * reads anywhere on the command line, so `cairn model-versions get --version 1` would print Cairn's version.
 */
export const versionOption = () =>
  new Option('-v, --model-version <version>', 'the model version number').makeOptionMandatory();
export const aliasOption = () =>
  new Option('-a, --alias <alias>', 'the alias, e.g. champion').makeOptionMandatory();

/** Collects repeated `--tag key=value` into a record. */
export function collectTag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`expected key=value, got '${value}'`);
  return { ...previous, [value.slice(0, equals)]: value.slice(equals + 1) };
}

/** `--filter-string`, `--order-by` and `--max-results` on a search command. */
export function searchOptions(command: Command, example: string): Command {
  return command
    .option('--filter-string <filter>', `MLflow filter string, e.g. "${example}"`)
    .option('--order-by <clause...>', "order clauses, e.g. 'name ASC' 'last_updated_timestamp DESC'")
    .option('--max-results <n>', 'the most results to return (all when absent)', parsePositiveInt);
}

/** Pages through a registry search until `--max-results` (or everything) is read. */
export async function searchAll<T>(
  options: Record<string, unknown>,
  pageSize: number,
  search: (input: {
    filterString?: string;
    orderBy?: string[];
    maxResults: number;
    pageToken?: string;
  }) => Promise<Page<T>>,
): Promise<T[]> {
  const found: T[] = [];
  const limit = options.maxResults as number | undefined;
  let pageToken: string | undefined;
  do {
    const page = await search({
      ...(typeof options.filterString === 'string' ? { filterString: options.filterString } : {}),
      ...(Array.isArray(options.orderBy) ? { orderBy: options.orderBy as string[] } : {}),
      maxResults: limit === undefined ? pageSize : Math.min(limit - found.length, pageSize),
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    found.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined && (limit === undefined || found.length < limit));
  return found;
}

/** Registered models as a table: one row each. */
export function registeredModelsTable(models: RegisteredModel[]): string {
  return renderTable(
    ['Name', 'Latest Versions', 'Aliases', 'Description', 'Last Updated'],
    models.map((model) => [
      model.name,
      model.latest_versions.map((v) => `${v.version} (${v.current_stage})`).join(', '),
      model.aliases.map((a) => `${a.alias}=${a.version}`).join(', '),
      model.description ?? '',
      formatTimestamp(model.last_updated_timestamp),
    ]),
  );
}

/** Model versions as a table: one row each. */
export function modelVersionsTable(versions: ModelVersion[]): string {
  return renderTable(
    ['Name', 'Version', 'Stage', 'Aliases', 'Source', 'Run Id', 'Last Updated'],
    versions.map((version) => [
      version.name,
      version.version,
      version.current_stage,
      version.aliases.join(', '),
      version.source,
      version.run_id ?? '',
      formatTimestamp(version.last_updated_timestamp),
    ]),
  );
}

/** One registered model as a field/value table. */
export function registeredModelDetails(model: RegisteredModel): string {
  return renderTable(
    ['Field', 'Value'],
    [
      ['name', model.name],
      ['description', model.description ?? ''],
      ['creation_timestamp', formatTimestamp(model.creation_timestamp)],
      ['last_updated_timestamp', formatTimestamp(model.last_updated_timestamp)],
      ...model.latest_versions.map((v) => [`latest_versions.${v.current_stage}`, v.version]),
      ...model.aliases.map((a) => [`aliases.${a.alias}`, a.version]),
      ...model.tags.map((tag) => [`tags.${tag.key}`, tag.value]),
    ],
  );
}

/** One model version as a field/value table. */
export function modelVersionDetails(version: ModelVersion): string {
  return renderTable(
    ['Field', 'Value'],
    [
      ['name', version.name],
      ['version', version.version],
      ['current_stage', version.current_stage],
      ['status', version.status],
      ['source', version.source],
      ['run_id', version.run_id ?? ''],
      ['model_id', version.model_id ?? ''],
      ['description', version.description ?? ''],
      ['aliases', version.aliases.join(', ')],
      ['creation_timestamp', formatTimestamp(version.creation_timestamp)],
      ['last_updated_timestamp', formatTimestamp(version.last_updated_timestamp)],
      ...version.tags.map((tag) => [`tags.${tag.key}`, tag.value]),
    ],
  );
}
