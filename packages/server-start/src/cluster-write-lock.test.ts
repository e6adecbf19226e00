import type { Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { serveClusterWriteLock } from './cluster-write-lock.js';

/** A stand-in for a cluster worker: what the primary sends it is recorded; `ask` is a message from it. */
function fakeWorker() {
  const emitter = new EventEmitter();
  const received: unknown[] = [];
  let dead = false;
  const worker = Object.assign(emitter, {
    send: (message: unknown) => {
      received.push(message);
      return true;
    },
    isDead: () => dead,
  }) as unknown as Worker;
  return {
    worker,
    grants: () =>
      received.filter((message) => JSON.stringify(message) === '{"cairnWriteLock":"granted"}').length,
    ask: (op: 'acquire' | 'release') => emitter.emit('message', { cairnWriteLock: op }),
    exit: () => {
      dead = true;
      emitter.emit('exit', 1);
    },
  };
}

describe('the cluster write lock (primary side)', () => {
  it('grants one holder at a time, in the order asked', () => {
    const [a, b] = [fakeWorker(), fakeWorker()];
    serveClusterWriteLock([a.worker, b.worker]);
    a.ask('acquire');
    b.ask('acquire');
    a.ask('acquire');
    expect([a.grants(), b.grants()]).toEqual([1, 0]);
    a.ask('release');
    expect([a.grants(), b.grants()]).toEqual([1, 1]);
    b.ask('release');
    expect([a.grants(), b.grants()]).toEqual([2, 1]);
  });

  it('takes back the lock and the place in line of a worker that exits', () => {
    const [a, b, c] = [fakeWorker(), fakeWorker(), fakeWorker()];
    serveClusterWriteLock([a.worker, b.worker, c.worker]);
    a.ask('acquire');
    b.ask('acquire');
    c.ask('acquire');
    b.exit();
    a.exit();
    expect([b.grants(), c.grants()]).toEqual([0, 1]);
  });

  it('ignores a release from a worker that does not hold the lock, and other messages', () => {
    const [a, b] = [fakeWorker(), fakeWorker()];
    serveClusterWriteLock([a.worker, b.worker]);
    a.ask('acquire');
    b.ask('acquire');
    b.ask('release');
    a.worker.emit('message', { other: 'traffic' });
    expect([a.grants(), b.grants()]).toEqual([1, 0]);
  });
});
