import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryServer, post } from './test-helpers.js';

let app: FastifyInstance;
afterEach(async () => {
  await app.close();
});

const dataset = (name: string, digest: string, context?: string) => ({
  tags: context === undefined ? [] : [{ key: 'mlflow.data.context', value: context }],
  dataset: { name, digest, source_type: 'local', source: '{"uri": "/data"}' },
});

describe.each(['/api/2.0/mlflow', '/ajax-api/2.0/mlflow'])('%s/experiments/search-datasets', (api) => {
  it('lists the datasets runs logged, with their context, and leaves context out where there is none', async () => {
    app = memoryServer();
    const experimentId = (await post(app, `${api}/experiments/create`, { name: 'datasets' })).body
      .experiment_id as string;
    const run = await post(app, `${api}/runs/create`, { experiment_id: experimentId });
    const runId = (run.body.run as { info: { run_id: string } }).info.run_id;
    await post(app, `${api}/runs/log-inputs`, {
      run_id: runId,
      datasets: [dataset('train', 'd1', 'training'), dataset('extra', 'd2')],
    });
    const found = await post(app, `${api}/experiments/search-datasets`, { experiment_ids: [experimentId] });
    expect(found.status).toBe(200);
    const summaries = found.body.dataset_summaries as Record<string, unknown>[];
    expect(summaries.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual([
      { experiment_id: experimentId, name: 'extra', digest: 'd2' },
      { experiment_id: experimentId, name: 'train', digest: 'd1', context: 'training' },
    ]);
  });

  it('answers {} when the experiments have no dataset inputs, as protobuf JSON leaves the empty list out', async () => {
    app = memoryServer();
    const found = await post(app, `${api}/experiments/search-datasets`, { experiment_ids: ['0'] });
    expect(found).toMatchObject({ status: 200, body: {} });
  });

  it.each([
    ['no experiment_ids field', {}, 'SearchDatasets request must specify at least one experiment_id.'],
    [
      'an empty list',
      { experiment_ids: [] },
      'SearchDatasets request must specify at least one experiment_id.',
    ],
    [
      '21 ids',
      { experiment_ids: Array.from({ length: 21 }, (_, index) => `id_${index}`) },
      'SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.',
    ],
  ])('refuses %s with 400 INVALID_PARAMETER_VALUE', async (_why, body, message) => {
    app = memoryServer();
    const refused = await post(app, `${api}/experiments/search-datasets`, body);
    expect(refused).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message } });
  });

  it('refuses a text/plain body (MLflow checks the content type of this RPC too)', async () => {
    app = memoryServer();
    const text = await app.inject({
      method: 'POST',
      url: `${api}/experiments/search-datasets`,
      headers: { 'content-type': 'text/plain' },
      payload: '{"experiment_ids": ["0"]}',
    });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
  });
});
