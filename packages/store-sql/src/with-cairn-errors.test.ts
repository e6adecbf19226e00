import { createServer } from 'node:net';
import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { createSqlRegistryStore } from './sql-registry-store.js';
import { createSqlTrackingStore } from './sql-tracking-store.js';
import { upgradeDatabase } from './upgrade-database.js';
import { sqlErrorToCairnError } from './with-cairn-errors.js';

/** A loopback port nothing listens on: bound once to get a free number, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('an unreachable database', () => {
  // Regression: the CLI and the server printed a bare "INTERNAL_ERROR: connect ECONNREFUSED".
  for (const scheme of ['postgresql', 'mysql'] as const) {
    it(`names the ${scheme} database, hides its password and says what to check`, async () => {
      const uri = `${scheme}://cairn:s3cret@127.0.0.1:${await closedPort()}/cairn`;
      const store = createSqlTrackingStore({ uri, artifactRoot: 'file:///tmp/unused' });
      const failure = await store.searchExperiments({}).catch((error: unknown) => error);
      await store.close();
      expect(CairnError.isInstance(failure)).toBe(true);
      const error = failure as CairnError;
      expect(error.code).toBe('TEMPORARILY_UNAVAILABLE');
      expect(error.httpStatus).toBe(503);
      expect(error.message).toContain(`Cannot reach the database at ${scheme}://cairn:***@127.0.0.1:`);
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.message).not.toContain('s3cret');
    });
  }

  it('fails the registry store and db upgrade the same way', async () => {
    const uri = `postgresql://cairn:s3cret@127.0.0.1:${await closedPort()}/cairn`;
    const registry = createSqlRegistryStore({ uri });
    await expect(registry.getRegisteredModel('m')).rejects.toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE' });
    await registry.close();
    await expect(upgradeDatabase(uri)).rejects.toMatchObject({
      code: 'TEMPORARILY_UNAVAILABLE',
      message: expect.stringContaining('postgresql://cairn:***@127.0.0.1:'),
    });
  });
});

describe('sqlErrorToCairnError', () => {
  it('explains refused credentials and missing databases by the driver code', () => {
    const password = Object.assign(new Error('password authentication failed for user "x"'), {
      code: '28P01',
    });
    expect(sqlErrorToCairnError(password, 'postgresql://x:***@h/db').message).toBe(
      'Cannot connect to the database at postgresql://x:***@h/db: the password was refused (password authentication failed for user "x")',
    );
    const missing = Object.assign(new Error("Unknown database 'db'"), { code: 'ER_BAD_DB_ERROR' });
    expect(sqlErrorToCairnError(missing, 'mysql://h/db')).toMatchObject({
      code: 'TEMPORARILY_UNAVAILABLE',
      message: expect.stringContaining('the database does not exist'),
    });
  });

  it('finds the socket failure inside an AggregateError and leaves other failures as they were', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    expect(sqlErrorToCairnError(new AggregateError([refused]), 'postgresql://h/db').code).toBe(
      'TEMPORARILY_UNAVAILABLE',
    );
    const known = new CairnError('RESOURCE_DOES_NOT_EXIST', 'no run');
    expect(sqlErrorToCairnError(known, 'x')).toBe(known);
    expect(sqlErrorToCairnError(new Error('boom'), 'x')).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'boom',
    });
  });
});
