import { doesNotExist, type ModelUri, type ModelVersion, type RegistryStore } from '@cairn/core';

/** A `models:/` URI that names a registered model version (not an MLflow 3 logged model). */
export type RegisteredModelUri = Exclude<ModelUri, { kind: 'logged-model' }>;

/**
 * The version a registered-model URI names: by number, by alias, `latest` (the registry's reserved alias)
 * or by stage (the highest version in it). Unknown models, versions and aliases fail as the registry
 * reports them; an empty stage fails with RESOURCE_DOES_NOT_EXIST naming the model and the stage.
 */
export async function resolveModelVersion(
  registry: RegistryStore,
  uri: RegisteredModelUri,
): Promise<ModelVersion> {
  switch (uri.kind) {
    case 'version':
      return registry.getModelVersion(uri.name, uri.version);
    case 'alias':
      return registry.getModelVersionByAlias(uri.name, uri.alias);
    case 'latest':
      return registry.getModelVersionByAlias(uri.name, 'latest');
    case 'stage': {
      const [newest] = (await registry.getLatestVersions(uri.name, [uri.stage])).sort(
        (a, b) => Number(b.version) - Number(a.version),
      );
      if (newest === undefined) {
        throw doesNotExist(`No versions of model with name '${uri.name}' and stage '${uri.stage}' found`, {
          field: 'model_uri',
        });
      }
      return newest;
    }
  }
}
