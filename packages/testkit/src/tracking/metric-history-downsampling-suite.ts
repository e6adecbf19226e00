import {
  bucketExtremesOfPoints,
  type GetMetricHistoryDownsampledInput,
  type Metric,
  type MetricWithRunId,
} from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { metric, type TrackingSuiteContext } from './tracking-context.js';

/** A scrambled but reproducible number in [0, 1) for index `i` (multiplicative hashing). */
const scrambled = (i: number, salt: number) =>
  ((Math.imul(i + 1, 2_654_435_761) ^ salt) >>> 0) / 4_294_967_296;

/**
 * get-history-downsampled (`getMetricHistoryDownsampled`, Cairn's min/max-preserving downsampler for
 * charts): each run's lowest and highest point per step bucket, checked against core's reference over the
 * history the store itself returns, for histories with negative and repeated steps, NaN and infinities.
 */
export function metricHistoryDownsamplingSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  async function runWith(points: Metric[], experimentId: string): Promise<string> {
    const { run_id: runId } = (await context.createRun({ experimentId })).info;
    for (let offset = 0; offset < points.length; offset += 1000) {
      await store().logBatch({ runId, metrics: points.slice(offset, offset + 1000) });
    }
    return runId;
  }

  async function wholeHistory(runId: string, metricKey: string): Promise<Metric[]> {
    const exists = await store()
      .getRun(runId)
      .then(
        () => true,
        () => false,
      );
    const points: Metric[] = [];
    if (!exists) return points;
    let pageToken: string | undefined;
    do {
      const page = await store().getMetricHistory({
        runId,
        metricKey,
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      points.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    return points;
  }

  /** What the store must answer, from its own whole histories and core's reference rules. */
  async function expected(input: GetMetricHistoryDownsampledInput): Promise<MetricWithRunId[]> {
    const runIds = [...new Set(input.runIds)];
    const histories = await Promise.all(runIds.map((runId) => wholeHistory(runId, input.metricKey)));
    const steps = histories.flat().map((point) => point.step);
    if (steps.length === 0) return [];
    const range = {
      startStep: input.startStep ?? Math.min(...steps),
      endStep: input.endStep ?? Math.max(...steps),
      buckets: input.buckets ?? 1000,
    };
    return runIds.flatMap((runId, index) =>
      bucketExtremesOfPoints(histories[index] ?? [], range).map((point) => ({
        ...point,
        key: input.metricKey,
        run_id: runId,
      })),
    );
  }

  const downsample = (input: GetMetricHistoryDownsampledInput) => store().getMetricHistoryDownsampled(input);

  it('keeps each bucket’s lowest and highest point, so a spike and a dip survive', async () => {
    const experimentId = await context.createExperiment('downsample');
    const points = Array.from({ length: 5000 }, (_, step) => metric('loss', 1, 1000 + step, step));
    points[777] = metric('loss', -50, 1777, 777);
    points[4321] = metric('loss', 100, 5321, 4321);
    const runId = await runWith(points, experimentId);
    const answer = await downsample({ runIds: [runId], metricKey: 'loss', buckets: 10 });
    expect(answer.length).toBeLessThanOrEqual(20);
    expect(answer).toContainEqual({ key: 'loss', value: -50, timestamp: 1777, step: 777, run_id: runId });
    expect(answer).toContainEqual({ key: 'loss', value: 100, timestamp: 5321, step: 4321, run_id: runId });
    // Ties keep the earliest step: a flat bucket answers one point, its first.
    expect(answer.filter((point) => point.step < 500)).toEqual([
      { key: 'loss', value: 1, timestamp: 1000, step: 0, run_id: runId },
    ]);
    expect(answer.map((point) => point.step)).toEqual(
      [...answer.map((point) => point.step)].sort((a, b) => a - b),
    );
  });

  it('matches the reference on random histories, runs in the order asked', async () => {
    const experimentId = await context.createExperiment('downsample-random');
    const special = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const runIds: string[] = [];
    for (const shape of ['dense', 'sparse', 'repeated'] as const) {
      const points: Metric[] = [];
      for (let i = 0; i < 600; i += 1) {
        const step =
          shape === 'dense'
            ? i - 100
            : shape === 'sparse'
              ? Math.floor(scrambled(i, 0x5eed) * 50_000)
              : Math.floor(i / 3);
        const value =
          i % 37 === 0 ? (special[i % 3] as number) : Math.round(scrambled(i, 0xfeed) * 1000) / 10;
        points.push(metric('m', value, 1_000 + Math.floor(scrambled(i, 0xbeef) * 50), step));
      }
      runIds.push(await runWith(points, experimentId));
    }
    const unknown = '0'.repeat(32);
    const inputs: GetMetricHistoryDownsampledInput[] = [
      { runIds, metricKey: 'm' },
      { runIds: [runIds[2] as string, runIds[0] as string, runIds[2] as string], metricKey: 'm', buckets: 7 },
      { runIds, metricKey: 'm', buckets: 1 },
      { runIds, metricKey: 'm', buckets: 5000 },
      { runIds: [...runIds, unknown], metricKey: 'm', startStep: -50, endStep: 150, buckets: 13 },
      { runIds, metricKey: 'm', startStep: 40_000, endStep: 1_000_000, buckets: 100 },
    ];
    for (const input of inputs) {
      expect(await downsample(input), JSON.stringify(input)).toEqual(await expected(input));
    }
  });

  it('answers nothing for unknown runs, other keys, ranges outside the history and NaN-only buckets', async () => {
    const experimentId = await context.createExperiment('downsample-empty');
    const runId = await runWith(
      [metric('m', Number.NaN, 1, 0), metric('m', Number.NaN, 2, 1), metric('m', 3, 3, 10)],
      experimentId,
    );
    expect(await downsample({ runIds: ['f'.repeat(32)], metricKey: 'm' })).toEqual([]);
    expect(await downsample({ runIds: [runId], metricKey: 'other' })).toEqual([]);
    expect(await downsample({ runIds: [runId], metricKey: 'm', startStep: 100, endStep: 200 })).toEqual([]);
    expect(await downsample({ runIds: [runId], metricKey: 'm', buckets: 2 })).toEqual([
      { key: 'm', value: 3, timestamp: 3, step: 10, run_id: runId },
    ]);
  });

  it('refuses bad requests naming the field and the limit', async () => {
    const runId = (await context.createRun()).info.run_id;
    const cases: [GetMetricHistoryDownsampledInput, string][] = [
      [{ runIds: [], metricKey: 'm' }, 'run_ids'],
      [{ runIds: Array.from({ length: 101 }, (_, i) => `${i}`), metricKey: 'm' }, 'run_ids'],
      [{ runIds: [runId], metricKey: '' }, 'metric_key'],
      [{ runIds: [runId], metricKey: 'm', buckets: 0 }, 'buckets'],
      [{ runIds: [runId], metricKey: 'm', buckets: 5001 }, 'buckets'],
      [{ runIds: [runId], metricKey: 'm', buckets: 1.5 }, 'buckets'],
      [{ runIds: [runId], metricKey: 'm', startStep: 1 }, 'end_step'],
      [{ runIds: [runId], metricKey: 'm', startStep: 5, endStep: 1 }, 'end_step'],
      [{ runIds: [runId], metricKey: 'm', startStep: 0, endStep: 2 ** 52, buckets: 5000 }, 'end_step'],
    ];
    for (const [input, field] of cases) {
      const error = await expectCairnError(downsample(input), 'INVALID_PARAMETER_VALUE');
      // The message names the field (details do not cross the REST API).
      expect(error.message).toContain(field === 'end_step' ? 'end' : field);
    }
  });
}
