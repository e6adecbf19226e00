import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cacheStatements } from './sqlite-statement-cache.js';

describe('cacheStatements', () => {
  it('compiles a statement once per SQL text and still answers with current rows', () => {
    const raw = new Database(':memory:');
    const database = cacheStatements<Database.Statement<unknown[]>>(raw);
    database.prepare('CREATE TABLE t (x INTEGER)').run();
    const insert = database.prepare('INSERT INTO t (x) VALUES (?)');
    expect(database.prepare('INSERT INTO t (x) VALUES (?)')).toBe(insert);
    insert.run(1);
    database.prepare('INSERT INTO t (x) VALUES (?)').run(2);
    expect(database.prepare('SELECT x FROM t ORDER BY x').all()).toEqual([{ x: 1 }, { x: 2 }]);
    database.close();
  });

  it('hands out a fresh statement while the cached one is still being iterated', () => {
    const database = cacheStatements<Database.Statement<unknown[]>>(new Database(':memory:'));
    const select = database.prepare('SELECT 1 AS one UNION ALL SELECT 2');
    const rows = select.iterate();
    rows.next();
    const second = database.prepare('SELECT 1 AS one UNION ALL SELECT 2');
    expect(second).not.toBe(select);
    expect(second.all()).toEqual([{ one: 1 }, { one: 2 }]);
    rows.return?.();
    expect(database.prepare('SELECT 1 AS one UNION ALL SELECT 2')).toBe(select);
    database.close();
  });

  it('keeps only the most recently used statements', () => {
    const database = cacheStatements<Database.Statement<unknown[]>>(new Database(':memory:'), 2);
    const first = database.prepare('SELECT 1');
    const second = database.prepare('SELECT 2');
    database.prepare('SELECT 1');
    database.prepare('SELECT 3');
    // 'SELECT 2' was the least recently used, so it was dropped; 'SELECT 1' stayed.
    expect(database.prepare('SELECT 1')).toBe(first);
    expect(database.prepare('SELECT 2')).not.toBe(second);
    database.close();
  });
});
