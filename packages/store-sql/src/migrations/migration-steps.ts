import { addSkillRegistryTables } from './add-skill-registry-tables.js';
import { extendIssueContract } from './extend-issue-contract.js';
import { makeMcpVersionsCaseSensitive } from './make-mcp-versions-case-sensitive.js';
import type { MigrationStep } from './migration-context.js';

/**
 * MLflow's revisions Cairn replays, oldest first, each starting where the one before ends and the last
 * ending at MLflow 3.18.0's head. The first step's `from` is the oldest revision Cairn upgrades.
 */
export const migrationSteps: readonly MigrationStep[] = [
  addSkillRegistryTables,
  extendIssueContract,
  makeMcpVersionsCaseSensitive,
];

/** The MLflow release each revision Cairn upgrades from is the head of, for messages and docs. */
export const upgradableReleases: Readonly<Record<string, string>> = {
  dc11669786a5: '3.17',
  e7d1f4b2a9c6: 'a 3.18 development build',
  '8b6ad64cb8f5': 'a 3.18 development build',
};

/** The steps that take a database at `revision` to the head, or undefined when Cairn cannot start there. */
export function migrationPlan(revision: string): MigrationStep[] | undefined {
  const start = migrationSteps.findIndex((step) => step.from === revision);
  return start === -1 ? undefined : migrationSteps.slice(start);
}
