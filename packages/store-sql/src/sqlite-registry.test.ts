import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRegistryStore } from '@cairn/testkit';
import { createSqlRegistryStore } from './sql-registry-store.js';

const root = mkdtempSync(join(tmpdir(), 'cairn-sql-registry-'));
let count = 0;

// A fresh database file per test: the suites expect an empty store each time.
describeRegistryStore('sql (SQLite)', () => {
  count += 1;
  return createSqlRegistryStore({ uri: `sqlite:///${join(root, `registry-${count}.db`)}` });
});
