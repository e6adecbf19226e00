import type { ArtifactStore } from '@cairn/core';
import { describe } from 'vitest';
import { useFreshStore } from '../fresh-store.js';
import { type DescribeStoreOptions, describeNamedSuites } from '../named-suites.js';
import { deleteSuite } from './delete-suite.js';
import { listSuite } from './list-suite.js';
import { pathsSuite } from './paths-suite.js';
import { putGetSuite } from './put-get-suite.js';
import { streamsSuite } from './streams-suite.js';

/** The named suites of {@link describeArtifactStore}, in run order. */
export const artifactSuiteNames = ['put-get', 'list', 'delete', 'paths', 'streams'] as const;

/** The name of one suite of {@link describeArtifactStore}. */
export type ArtifactSuiteName = (typeof artifactSuiteNames)[number];

/** What every artifact suite receives: the store of the current test. */
export interface ArtifactSuiteContext {
  store(): ArtifactStore;
}

const suites: Record<ArtifactSuiteName, (context: ArtifactSuiteContext) => void> = {
  'put-get': putGetSuite,
  list: listSuite,
  delete: deleteSuite,
  paths: pathsSuite,
  streams: streamsSuite,
};

/**
 * Declares the artifact-store conformance suites for a store. `factory` is called before every test and
 * must return a store rooted at a fresh, empty location; a `close()` method, if the store has one, is
 * called after the test.
 */
export function describeArtifactStore(
  name: string,
  factory: () => ArtifactStore | Promise<ArtifactStore>,
  options: DescribeStoreOptions = {},
): void {
  describe(`ArtifactStore conformance: ${name}`, () => {
    const context: ArtifactSuiteContext = { store: useFreshStore('artifact', factory) };
    describeNamedSuites(
      artifactSuiteNames.map((suiteName) => [suiteName, suites[suiteName]] as const),
      context,
      options,
    );
  });
}
