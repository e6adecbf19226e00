import { parseModelUri } from '@cairn/core';
import { type ModelsUriStores, resolveModelsUri } from '@cairn/registry';
import type { ModelVersionResolver } from './served-model.js';

/**
 * A {@link ModelVersionResolver} over the registry: `models:/<name>@<alias>` (or `/latest`, a stage) becomes
 * `models:/<name>/<version>` of the version it names now, keeping any `/<path>`; other URIs answer themselves.
 */
export function createRegistryVersionResolver(stores: ModelsUriStores): ModelVersionResolver {
  return async (uri) => {
    if (!uri.startsWith('models:')) return { uri, version: undefined };
    const parsed = parseModelUri(uri);
    if (parsed.kind === 'logged-model') return { uri, version: undefined };
    const { modelVersion } = await resolveModelsUri(uri, stores, { followCopies: false });
    if (modelVersion === undefined) return { uri, version: undefined };
    const subpath = parsed.subpath === '' ? '' : `/${parsed.subpath}`;
    return {
      uri: `models:/${modelVersion.name}/${modelVersion.version}${subpath}`,
      version: modelVersion.version,
    };
  };
}
