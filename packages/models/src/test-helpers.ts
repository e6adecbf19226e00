import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError } from '@cairn/core';

/** The package's fixtures directory. */
export const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

/** A new empty temporary directory. */
export const temporaryDirectory = (prefix = 'cairn-models-') => mkdtemp(join(tmpdir(), prefix));

/** The CairnError `work` throws; fails the test when it throws nothing or something else. */
export async function caught(work: () => unknown): Promise<CairnError> {
  try {
    await work();
  } catch (error) {
    if (CairnError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a CairnError, nothing was thrown');
}
