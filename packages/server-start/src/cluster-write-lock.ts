import cluster, { type Worker } from 'node:cluster';
import type { SqliteWriteLock } from '@cairn/store-sql';

/** The IPC messages of the lock, tagged so they never mix with other cluster traffic. */
type LockMessage = { cairnWriteLock: 'acquire' | 'release' | 'granted' };

const isLockMessage = (message: unknown): message is LockMessage =>
  typeof message === 'object' && message !== null && 'cairnWriteLock' in message;

/**
 * The primary's side of the workers' SQLite write lock: one holder at a time, granted in the order asked.
 * A worker that exits gives back whatever it held or waited for, so a crash cannot wedge the others.
 */
export function serveClusterWriteLock(workers: readonly Worker[]): void {
  const waiting: Worker[] = [];
  let holder: Worker | undefined;
  const grantNext = () => {
    while (holder === undefined && waiting.length > 0) {
      const next = waiting.shift() as Worker;
      if (next.isDead()) continue;
      holder = next;
      next.send({ cairnWriteLock: 'granted' } satisfies LockMessage);
    }
  };
  for (const worker of workers) {
    worker.on('message', (message: unknown) => {
      if (!isLockMessage(message)) return;
      if (message.cairnWriteLock === 'acquire') waiting.push(worker);
      else if (message.cairnWriteLock === 'release' && holder === worker) holder = undefined;
      grantNext();
    });
    worker.once('exit', () => {
      for (let index = waiting.indexOf(worker); index !== -1; index = waiting.indexOf(worker)) {
        waiting.splice(index, 1);
      }
      if (holder === worker) holder = undefined;
      grantNext();
    });
  }
}

/**
 * A worker's side: each `acquire` asks the primary and resolves on its grant. Grants to one worker arrive in
 * the order it asked, so they resolve its waiting callers first come, first served.
 */
export function clusterWriteLock(): SqliteWriteLock {
  const worker = cluster.worker;
  if (worker === undefined) throw new Error('clusterWriteLock() runs in a cluster worker only');
  const pending: (() => void)[] = [];
  worker.on('message', (message: unknown) => {
    if (isLockMessage(message) && message.cairnWriteLock === 'granted') pending.shift()?.();
  });
  return {
    acquire: () =>
      new Promise((resolve) => {
        pending.push(() => {
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            worker.send({ cairnWriteLock: 'release' } satisfies LockMessage);
          });
        });
        worker.send({ cairnWriteLock: 'acquire' } satisfies LockMessage);
      }),
  };
}
