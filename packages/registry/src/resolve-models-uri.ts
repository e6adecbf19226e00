import {
  invalidParameter,
  type LoggedModel,
  type LoggedModelStore,
  type ModelUri,
  type ModelVersion,
  parseModelUri,
  type RegistryStore,
} from '@cairn/core';
import { resolveModelVersion } from './resolve-model-version.js';

/** The stores {@link resolveModelsUri} reads. */
export interface ModelsUriStores {
  /** Where registered versions are looked up; without one, a registered-model URI fails with INVALID_PARAMETER_VALUE. */
  readonly registry?: RegistryStore | undefined;
  /** Where `models:/<model_id>` logged models are looked up (any `TrackingStore` will do). */
  readonly tracking: Pick<LoggedModelStore, 'getLoggedModel'>;
}

/** Options of {@link resolveModelsUri}. */
export interface ResolveModelsUriOptions {
  /**
   * Follow a version whose files are another `models:/` URI (it was registered from one) to that URI's
   * files, as MLflow's client does when it downloads (default true). False stops at the named version's
   * download URI, as MLflow's server does when it registers a version from a `models:/` source.
   */
  readonly followCopies?: boolean;
}

/** What a `models:/` URI names and where its files are. */
export interface ResolvedModelsUri {
  /** The URI as parsed. */
  readonly uri: ModelUri;
  /** The registered version the URI names; undefined for a logged-model URI (`models:/<model_id>`). */
  readonly modelVersion: ModelVersion | undefined;
  /** The logged model a `models:/<model_id>` URI names; undefined for a registered-model URI. */
  readonly loggedModel: LoggedModel | undefined;
  /**
   * The root of the model's files, as the store holds it: the version's download URI (`s3://...`,
   * `runs:/<run_id>/<path>`, ...) or the logged model's artifact location.
   */
  readonly artifactUri: string;
  /** The path under {@link ResolvedModelsUri.artifactUri} the URI names; empty for the whole model. */
  readonly subpath: string;
}

/** A chain of copies (models:/a/1 registered from models:/b/2 ...) ends in real files long before this. */
const maxCopies = 10;

/**
 * Resolves MLflow's model URIs — `models:/<name>/<version>`, `models:/<name>/<stage>`,
 * `models:/<name>/latest`, `models:/<name>@<alias>` and `models:/<model_id>`, each optionally followed by
 * `/<path>` — to the version (or logged model) they name and the URI of its files. Unknown models,
 * versions, aliases and logged models fail with the registry's or tracking store's CairnError
 * (RESOURCE_DOES_NOT_EXIST naming them, as MLflow's); a malformed URI with INVALID_PARAMETER_VALUE
 * naming `model_uri`.
 */
export async function resolveModelsUri(
  modelsUri: string,
  stores: ModelsUriStores,
  options: ResolveModelsUriOptions = {},
): Promise<ResolvedModelsUri> {
  const first = await resolveOnce(modelsUri, stores);
  if (options.followCopies === false) return first;
  let { artifactUri, subpath } = first;
  for (let copy = 0; copy < maxCopies && artifactUri.startsWith('models:'); copy += 1) {
    const next = await resolveOnce(artifactUri, stores);
    artifactUri = next.artifactUri;
    // The copy's own subpath comes before the path the caller asked for under it.
    subpath = [next.subpath, subpath].filter((part) => part !== '').join('/');
  }
  if (artifactUri.startsWith('models:')) {
    throw invalidParameter(`Cannot resolve ${modelsUri}: its sources refer to each other in a loop`, {
      field: 'model_uri',
    });
  }
  return { ...first, artifactUri, subpath };
}

/** One step: the version or logged model a URI names and the URI its files are at (maybe another models:/). */
async function resolveOnce(modelsUri: string, stores: ModelsUriStores): Promise<ResolvedModelsUri> {
  const uri = parseModelUri(modelsUri);
  if (uri.kind === 'logged-model') {
    const loggedModel = await stores.tracking.getLoggedModel(uri.modelId);
    return {
      uri,
      modelVersion: undefined,
      loggedModel,
      artifactUri: loggedModel.info.artifact_uri,
      subpath: uri.subpath,
    };
  }
  if (stores.registry === undefined) {
    throw invalidParameter(
      `Cannot resolve ${modelsUri}: it names a registered model and no model registry was given`,
      {
        field: 'model_uri',
      },
    );
  }
  const modelVersion = await resolveModelVersion(stores.registry, uri);
  const artifactUri = await stores.registry.getModelVersionDownloadUri(
    modelVersion.name,
    modelVersion.version,
  );
  return { uri, modelVersion, loggedModel: undefined, artifactUri, subpath: uri.subpath };
}
