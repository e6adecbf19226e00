export type { PromoteModelVersionInput } from './promote-model-version.js';
export { promoteModelVersion } from './promote-model-version.js';
export { modelVersionsTag, recordVersionOnLoggedModel } from './record-version-on-logged-model.js';
export type { RegisterModelInput, RegisterModelStores, ResolvedVersionSource } from './register-model.js';
export { registerModel, resolveVersionSource } from './register-model.js';
export type {
  ModelsUriStores,
  ResolvedModelsUri,
  ResolveModelsUriOptions,
} from './resolve-models-uri.js';
export { resolveModelsUri } from './resolve-models-uri.js';
