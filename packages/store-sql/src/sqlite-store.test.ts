import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTrackingStore } from '@cairn/testkit';
import { createSqlTrackingStore } from './sql-tracking-store.js';

const root = mkdtempSync(join(tmpdir(), 'cairn-sql-sqlite-'));
let count = 0;

// A fresh database file per test: the suites expect an empty store each time.
describeTrackingStore('sql (SQLite)', () => {
  count += 1;
  return createSqlTrackingStore({
    uri: `sqlite:///${join(root, `store-${count}.db`)}`,
    artifactRoot: `file://${root}/artifacts`,
  });
});
