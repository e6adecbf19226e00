import type { RegistryStore } from '@cairn/core';
import { describe } from 'vitest';
import { useFreshStore } from '../fresh-store.js';
import { type DescribeStoreOptions, describeNamedSuites } from '../named-suites.js';
import { modelIdSourceSuite, modelVersionsSuite } from './model-versions-suite.js';
import { registeredModelsSuite } from './registered-models-suite.js';
import { createRegistryContext, type RegistrySuiteContext } from './registry-context.js';
import { searchRegistrySuite } from './search-registry-suite.js';
import { aliasesSuite, stagesSuite } from './stages-aliases-suite.js';

/** The named suites of {@link describeRegistryStore}, in run order. */
export const registrySuiteNames = [
  'registered-models',
  'model-versions',
  'model-id-source',
  'stages',
  'aliases',
  'search',
] as const;

/** The name of one suite of {@link describeRegistryStore}. */
export type RegistrySuiteName = (typeof registrySuiteNames)[number];

const suites: Record<RegistrySuiteName, (context: RegistrySuiteContext) => void> = {
  'registered-models': registeredModelsSuite,
  'model-versions': modelVersionsSuite,
  'model-id-source': modelIdSourceSuite,
  stages: stagesSuite,
  aliases: aliasesSuite,
  search: searchRegistrySuite,
};

/**
 * Declares the model-registry conformance suites (MLflow's semantics) for a store. `factory` is called
 * before every test for a fresh, empty store, which is closed after the test.
 */
export function describeRegistryStore(
  name: string,
  factory: () => RegistryStore | Promise<RegistryStore>,
  options: DescribeStoreOptions = {},
): void {
  describe(`RegistryStore conformance: ${name}`, () => {
    const context = createRegistryContext(useFreshStore('registry', factory));
    describeNamedSuites(
      registrySuiteNames.map((suiteName) => [suiteName, suites[suiteName]] as const),
      context,
      options,
    );
  });
}
