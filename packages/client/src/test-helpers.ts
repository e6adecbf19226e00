import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp directory for one test. */
export const tempDir = (prefix = 'cairn-client-') => mkdtemp(join(tmpdir(), prefix));

/** Fixed system tags, so tests do not depend on the machine's user or git checkout. */
export const fixedSystemTags = async () => ({
  'mlflow.user': 'tester',
  'mlflow.source.name': 'train.ts',
  'mlflow.source.type': 'LOCAL',
});
