import { Writable } from 'node:stream';
import { createMemoryTrackingStore } from '@cairn/store-memory';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';

describe('request logs', () => {
  // Regression: Fastify's default wrote an "incoming request" and a "request completed" line per request.
  it('writes one structured line per request to the pino logger given', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const app = createServer({
      trackingStore: createMemoryTrackingStore(),
      logger: pino({ level: 'info' }, sink),
    });
    await app.inject({ method: 'GET', url: '/api/2.0/mlflow/experiments/get?experiment_id=0' });
    await app.inject({ method: 'GET', url: '/api/2.0/mlflow/experiments/get?experiment_id=999' });
    await app.close();
    const requests = lines.filter((line) => line.req !== undefined);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      msg: 'request completed',
      req: { method: 'GET', url: '/api/2.0/mlflow/experiments/get?experiment_id=0' },
      res: { statusCode: 200 },
    });
    expect(typeof requests[0]?.responseTime).toBe('number');
    expect(typeof requests[0]?.reqId).toBe('string');
    expect(requests[1]).toMatchObject({ res: { statusCode: 404 } });
  });
});
