import { Writable } from 'node:stream';
import { createMemoryTrackingStore } from '@cairn/store-memory';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';

describe('request logs', () => {
  it('writes one structured line per request and response to the pino logger given', async () => {
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
    await app.close();
    const response = lines.find((line) => line.msg === 'request completed') as
      | { res: { statusCode: number }; responseTime: number; reqId: string }
      | undefined;
    expect(response?.res.statusCode).toBe(200);
    expect(typeof response?.responseTime).toBe('number');
    const request = lines.find((line) => line.msg === 'incoming request') as
      | { req: { url: string } }
      | undefined;
    expect(request?.req.url).toBe('/api/2.0/mlflow/experiments/get?experiment_id=0');
  });
});
