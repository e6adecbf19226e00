import { describe, expect, it } from 'vitest';
import { CairnError } from './errors.js';
import {
  metricHistorySampleReaderFromPoints,
  sampledStepRanks,
  sampleMetricHistoryBulkInterval,
  validateMetricHistoryBulkInterval,
} from './metric-history-sampling.js';

describe('sampledStepRanks', () => {
  it('keeps every rank when the steps fit and MLflow’s floor(i * count / max) plus the last when not', () => {
    expect(sampledStepRanks(4, 5)).toEqual([0, 1, 2, 3]);
    expect(sampledStepRanks(10, 5)).toEqual([0, 2, 4, 6, 8, 9]);
    expect(sampledStepRanks(20, 5)).toEqual([0, 4, 8, 12, 16, 19]);
    expect(sampledStepRanks(7, 3)).toEqual([0, 2, 4, 6]);
    expect(sampledStepRanks(5, 1)).toEqual([0, 4]);
    expect(sampledStepRanks(0, 5)).toEqual([]);
  });

  it('picks as Python’s int(i * (count / max)) does for a count the float division does not divide evenly', () => {
    const count = 1_000_003;
    const ranks = sampledStepRanks(count, 2500);
    const interval = count / 2500;
    expect(ranks.slice(0, -1)).toEqual(Array.from({ length: 2500 }, (_, i) => Math.trunc(i * interval)));
    expect(ranks.at(-1)).toBe(count - 1);
  });
});

describe('validateMetricHistoryBulkInterval', () => {
  const messageOf = (run: () => void) => {
    try {
      run();
    } catch (error) {
      if (CairnError.isInstance(error)) return `${error.code}: ${error.message}`;
      throw error;
    }
    return 'accepted';
  };

  it('answers MLflow’s messages with INVALID_PARAMETER_VALUE', () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => `r${i}`);
    expect(messageOf(() => validateMetricHistoryBulkInterval({ runIds: tooMany, metricKey: 'm' }))).toContain(
      'INVALID_PARAMETER_VALUE: GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids.',
    );
    expect(
      messageOf(() => validateMetricHistoryBulkInterval({ runIds: ['r'], metricKey: 'm', endStep: 3 })),
    ).toBe(
      'INVALID_PARAMETER_VALUE: If either start step or end step are specified, both must be specified.',
    );
    expect(
      messageOf(() => validateMetricHistoryBulkInterval({ runIds: ['r'], metricKey: 'm', maxResults: 2.5 })),
    ).toContain('max_results must be between 1 and 2500.');
    expect(
      messageOf(() =>
        validateMetricHistoryBulkInterval({ runIds: ['r'], metricKey: 'm', startStep: 3, endStep: 3 }),
      ),
    ).toBe('accepted');
  });
});

describe('sampleMetricHistoryBulkInterval', () => {
  it('asks the reader only for the chosen steps of the runs that have the metric', async () => {
    const asked: string[] = [];
    const points = (steps: number[]) => steps.map((step) => ({ key: 'm', value: step, timestamp: 1, step }));
    const base = metricHistorySampleReaderFromPoints(async (runId) =>
      runId === 'a' ? points([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) : runId === 'b' ? points([3, 30]) : [],
    );
    const reader = {
      ...base,
      pointsAtSteps: async (runId: string, key: string, steps: readonly number[], limit: number) => {
        asked.push(`${runId}:${steps.join(',')}`);
        return base.pointsAtSteps(runId, key, steps, limit);
      },
    };
    const sampled = await sampleMetricHistoryBulkInterval(reader, {
      runIds: ['a', 'none', 'b', 'a'],
      metricKey: 'm',
      maxResults: 4,
    });
    // Steps 0..9 and 30 (11 steps): ranks 0, 2, 5, 8 and the last (0, 2, 5, 8, 30), plus b's first step 3 and a's last 9.
    expect(asked).toEqual(['a:0,2,3,5,8,9,30', 'b:0,2,3,5,8,9,30']);
    expect(sampled.map((point) => `${point.run_id}${point.step}`)).toEqual([
      'a0',
      'a2',
      'a3',
      'a5',
      'a8',
      'a9',
      'b3',
      'b30',
    ]);
  });
});
