export type {
  ModelsUriStores,
  ResolvedModelsUri,
  ResolveModelsUriOptions,
} from './resolve-models-uri.js';
export { resolveModelsUri } from './resolve-models-uri.js';
