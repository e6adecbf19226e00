import type { MigrationStep } from './migration-context.js';

/** MLflow 3.18.0's revision e7d1f4b2a9c6: the skill registry's five tables (new, so no data to move). */
export const addSkillRegistryTables: MigrationStep = {
  from: 'dc11669786a5',
  to: 'e7d1f4b2a9c6',
  description: 'add skill registry tables',
  async up(context) {
    // Parents before the tables whose foreign keys point at them.
    for (const table of ['skills', 'skill_versions', 'skill_tags', 'skill_version_tags', 'skill_aliases']) {
      await context.createTable(table);
    }
  },
};
