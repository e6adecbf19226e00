import { invalidParameter, type ModelVersion, type RegistryStore } from '@cairn/core';

/** What {@link promoteModelVersion} does; give `alias`, `stage`, or both. */
export interface PromoteModelVersionInput {
  /** The registered model. */
  name: string;
  /** The version to promote. Without it, `alias` is removed from the model instead. */
  version?: string;
  /** Point this alias (`champion`) at `version`, moving it from any other version. */
  alias?: string;
  /** Move `version` to this legacy stage (`Staging`, `Production`, `Archived`, `None`; any case). */
  stage?: string;
  /** With `stage` Staging or Production: move the versions already there to Archived. */
  archiveExistingVersions?: boolean;
}

/**
 * Promotes a model version the two ways MLflow has: by alias (`set_registered_model_alias`, or
 * `delete_registered_model_alias` when no version is given) and by legacy stage
 * (`transition_model_version_stage` with `archive_existing_versions`). The stage moves first, so a failed
 * stage leaves the alias where it was. Returns the version as it now reads (undefined after removing an alias).
 */
export async function promoteModelVersion(
  registry: RegistryStore,
  input: PromoteModelVersionInput,
): Promise<ModelVersion | undefined> {
  if (input.alias === undefined && input.stage === undefined) {
    throw invalidParameter('Give an alias or a stage to promote a model version to.', { field: 'alias' });
  }
  if (input.version === undefined) {
    if (input.stage !== undefined || input.alias === undefined) {
      throw invalidParameter("Missing value for required parameter 'version'.", { field: 'version' });
    }
    await registry.deleteRegisteredModelAlias(input.name, input.alias);
    return undefined;
  }
  if (input.stage !== undefined) {
    await registry.transitionModelVersionStage(
      input.name,
      input.version,
      input.stage,
      input.archiveExistingVersions ?? false,
    );
  }
  if (input.alias !== undefined)
    await registry.setRegisteredModelAlias(input.name, input.alias, input.version);
  return registry.getModelVersion(input.name, input.version);
}
