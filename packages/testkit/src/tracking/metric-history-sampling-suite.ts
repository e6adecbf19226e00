import type { GetMetricHistoryBulkIntervalInput, Metric } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { referenceSample } from './metric-sampling-reference.js';
import { metric, type TrackingSuiteContext } from './tracking-context.js';

/** The steps of a sampled answer, per run, in answer order. */
const stepsByRun = (points: readonly { run_id: string; step: number }[]) => {
  const byRun = new Map<string, number[]>();
  for (const point of points) byRun.set(point.run_id, [...(byRun.get(point.run_id) ?? []), point.step]);
  return [...byRun.values()];
};

const range = (from: number, to: number, stride = 1) =>
  Array.from({ length: Math.floor((to - from) / stride) + 1 }, (_, i) => from + i * stride);

/**
 * get-history-bulk-interval (`getMetricHistoryBulkInterval`): MLflow's exact choice of steps (the tests of
 * MLflow's own server pin them), each run's first and last step kept, every point at the chosen steps, and
 * MLflow's validation; several step shapes are checked against a whole-history reference of the rules.
 */
export function metricHistorySamplingSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  /** A run with these points of `key`, logged in batches of at most 1,000. */
  async function runWith(points: Metric[], experimentId?: string): Promise<string> {
    const { run_id: runId } = (await context.createRun(experimentId === undefined ? {} : { experimentId }))
      .info;
    for (let offset = 0; offset < points.length; offset += 1000) {
      await store().logBatch({ runId, metrics: points.slice(offset, offset + 1000) });
    }
    return runId;
  }
  const atSteps = (key: string, steps: readonly number[], timestamp = 1) =>
    steps.map((step) => metric(key, step / 10, timestamp, step));
  const sample = (input: GetMetricHistoryBulkIntervalInput) => store().getMetricHistoryBulkInterval(input);

  it('keeps every step when they fit, and picks floor(i * count / max) plus the last when not', async () => {
    const runId = await runWith(atSteps('m', range(0, 9)));
    expect(stepsByRun(await sample({ runIds: [runId], metricKey: 'm', maxResults: 5 }))).toEqual([
      [0, 2, 4, 6, 8, 9],
    ]);
    expect(stepsByRun(await sample({ runIds: [runId], metricKey: 'm', maxResults: 10 }))).toEqual([
      range(0, 9),
    ]);
    const within = await sample({ runIds: [runId], metricKey: 'm', startStep: 0, endStep: 4, maxResults: 5 });
    expect(within).toEqual(
      range(0, 4).map((step) => ({ key: 'm', value: step / 10, timestamp: 1, step, run_id: runId })),
    );
  });

  it('samples the union of the runs’ steps and keeps each run’s first and last step, run by run', async () => {
    const experimentId = await context.createExperiment('sampling');
    const first = await runWith(atSteps('m', range(0, 9)), experimentId);
    const second = await runWith(atSteps('m', range(0, 19)), experimentId);
    const points = await sample({ runIds: [first, second], metricKey: 'm', maxResults: 5 });
    expect(stepsByRun(points)).toEqual([
      [0, 4, 8, 9],
      [0, 4, 8, 9, 12, 16, 19],
    ]);
    expect(points.map((point) => point.run_id)).toEqual([...Array(4).fill(first), ...Array(7).fill(second)]);
    const reversed = await sample({ runIds: [second, first, second], metricKey: 'm', maxResults: 5 });
    expect(reversed.map((point) => point.run_id)).toEqual([
      ...Array(7).fill(second),
      ...Array(4).fill(first),
    ]);
  });

  it('returns every point at a chosen step, ordered by step then timestamp', async () => {
    const runId = await runWith([...atSteps('m', range(0, 9), 2), ...atSteps('m', range(0, 9), 1)]);
    const points = await sample({ runIds: [runId], metricKey: 'm', maxResults: 5 });
    expect(points.map((point) => [point.step, point.timestamp])).toEqual(
      [0, 2, 4, 6, 8, 9].flatMap((step) => [
        [step, 1],
        [step, 2],
      ]),
    );
  });

  it('keeps only the first and last steps that fall inside a given range', async () => {
    const experimentId = await context.createExperiment('sampling');
    const long = await runWith(atSteps('m', range(0, 99)), experimentId);
    const short = await runWith(atSteps('m', [37, 41, 90]), experimentId);
    const points = await sample({
      runIds: [long, short],
      metricKey: 'm',
      startStep: 40,
      endStep: 95,
      maxResults: 4,
    });
    // Steps 40..95 give ranks 0, 14, 28, 42 and the last (40, 54, 68, 82, 95); `short` adds its last (90).
    expect(stepsByRun(points)).toEqual([[40, 54, 68, 82, 90, 95], [90]]);
  });

  it('leaves negative steps out when no range is given, as MLflow does (from step 0)', async () => {
    const runId = await runWith(atSteps('m', range(-5, 5)));
    expect(stepsByRun(await sample({ runIds: [runId], metricKey: 'm' }))).toEqual([range(0, 5)]);
    expect(stepsByRun(await sample({ runIds: [runId], metricKey: 'm', startStep: -3, endStep: -1 }))).toEqual(
      [[-3, -2, -1]],
    );
  });

  it('adds nothing for unknown runs, runs without the metric and other keys; keeps deleted runs', async () => {
    const experimentId = await context.createExperiment('sampling');
    const runId = await runWith([...atSteps('m', [1, 2]), ...atSteps('other', [3])], experimentId);
    const empty = await runWith(atSteps('other', [1]), experimentId);
    await store().deleteRun(runId);
    const points = await sample({
      runIds: ['ffffffffffffffffffffffffffffffff', empty, runId, 'not-a-run'],
      metricKey: 'm',
    });
    expect(points.map((point) => [point.run_id, point.step])).toEqual([
      [runId, 1],
      [runId, 2],
    ]);
    expect(await sample({ runIds: [empty], metricKey: 'm' })).toEqual([]);
  });

  it('returns NaN and infinite values', async () => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const runId = await runWith(values.map((value, step) => metric('m', value, 1, step)));
    const read = (await sample({ runIds: [runId], metricKey: 'm' })).map((point) => point.value);
    expect(read).toEqual(values);
  });

  it('picks the same steps as the rules for every shape of steps', async () => {
    // Dense runs, every-k-th-step runs on one lattice, lattices offset from each other, different strides,
    // gaps, repeated steps and single-step runs: each takes a different way through a store's backend.
    const shapes: Record<string, number[][]> = {
      dense: [range(0, 299), range(0, 299), range(100, 450)],
      stride: [range(0, 600, 3), range(30, 900, 3), [300]],
      offset: [range(0, 600, 3), range(1, 601, 3)],
      strides: [range(0, 400, 2), range(0, 600, 5)],
      gaps: [[...range(0, 99), ...range(150, 260), 999], range(20, 40)],
      repeats: [
        [...range(0, 199), ...range(0, 199, 7)],
        [5, 5, 5],
      ],
      single: [[7], [3], [7], [11]],
    };
    for (const [shape, runs] of Object.entries(shapes)) {
      const experimentId = await context.createExperiment(`sampling-${shape}`);
      const histories = new Map<string, Metric[]>();
      for (const steps of runs) {
        const points = steps.map((step, i) => metric('m', (step * 7 + i) % 13, 1000 + i, step));
        histories.set(await runWith(points, experimentId), points);
      }
      const runIds = [...histories.keys()];
      for (const query of [
        { maxResults: 1 },
        { maxResults: 7 },
        { maxResults: 64 },
        {},
        { startStep: 25, endStep: 333, maxResults: 10 },
        { startStep: 0, endStep: 0 },
      ]) {
        const expected = referenceSample(histories, 'm', { runIds, ...query });
        const actual = await sample({ runIds, metricKey: 'm', ...query });
        expect(actual, `${shape} ${JSON.stringify(query)}`).toEqual(expected);
      }
    }
  });

  it('rejects requests as MLflow does, naming the field and the limit', async () => {
    const runId = await runWith(atSteps('m', [1]));
    const tooMany = Array.from(
      { length: 101 },
      (_, i) => `${runId.slice(0, -3)}${String(i).padStart(3, '0')}`,
    );
    const cases: [GetMetricHistoryBulkIntervalInput, string][] = [
      [{ runIds: [], metricKey: 'm' }, "Missing value for required parameter 'run_ids'"],
      [{ runIds: tooMany, metricKey: 'm' }, 'must specify at most 100 run_ids. Received 101 run_ids.'],
      [{ runIds: [runId], metricKey: '' }, "Missing value for required parameter 'metric_key'"],
      [{ runIds: [runId], metricKey: 'm', maxResults: 0 }, 'max_results must be between 1 and 2500'],
      [{ runIds: [runId], metricKey: 'm', maxResults: 2501 }, 'max_results must be between 1 and 2500'],
      [{ runIds: [runId], metricKey: 'm', startStep: 1 }, 'If either start step or end step are specified'],
      [
        { runIds: [runId], metricKey: 'm', startStep: 2, endStep: 1 },
        'end_step must be greater than start_step',
      ],
    ];
    for (const [input, message] of cases) {
      const error = await expectCairnError(sample(input), 'INVALID_PARAMETER_VALUE');
      expect(error.message).toContain(message);
    }
  });
}
