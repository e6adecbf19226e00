import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Points TMPDIR (which `os.tmpdir()`, Python's `tempfile` and the servers the tests start all read) at a
 * directory of this run's own before any worker starts, and removes it when the run ends: a test that
 * forgets a temporary directory, or is killed before its cleanup, leaves nothing behind on the machine.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'cairn-test-run-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}
