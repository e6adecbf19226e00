import type { ModelVersion, RegisteredModel, RegistryStore } from '@cairn/core';
import { uniqueName } from '../tracking/tracking-context.js';

/** What every registry suite receives: the store of the current test and shortcuts to populate it. */
export interface RegistrySuiteContext {
  /** The store created for the current test. */
  store(): RegistryStore;
  /** Creates a registered model with a name unique to this process. */
  createModel(prefix?: string): Promise<RegisteredModel>;
  /** Creates `count` versions of a model, sources `s3://bucket/<name>/<n>`. */
  createVersions(name: string, count: number, runId?: string): Promise<ModelVersion[]>;
}

/** Builds a registry context over a store getter. */
export function createRegistryContext(store: () => RegistryStore): RegistrySuiteContext {
  return {
    store,
    createModel: (prefix = 'model') => store().createRegisteredModel({ name: uniqueName(prefix) }),
    createVersions: async (name, count, runId) => {
      const versions: ModelVersion[] = [];
      for (let index = 0; index < count; index += 1) {
        versions.push(
          await store().createModelVersion({
            name,
            source: `s3://bucket/${name}/${index + 1}`,
            ...(runId === undefined ? {} : { runId }),
          }),
        );
      }
      return versions;
    },
  };
}
