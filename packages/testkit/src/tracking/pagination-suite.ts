import type { TrackingStore } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { metric, type TrackingSuiteContext, uniqueName } from './tracking-context.js';

/** Pagination: pages that cover everything once, tokens bound to their query, inserts between pages. */
export function paginationSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  async function runsWithScores(experimentId: string, scores: number[]) {
    const ids: string[] = [];
    for (const [index, score] of scores.entries()) {
      const run = await context.createRun({ experimentId, startTime: 1000 + index });
      await store().logBatch({ runId: run.info.run_id, metrics: [metric('score', score)] });
      ids.push(run.info.run_id);
    }
    return ids;
  }

  /** Reads every page of a run search, calling `between` after each page but the last. */
  async function readRunPages(
    current: TrackingStore,
    input: Parameters<TrackingStore['searchRuns']>[0],
    between?: (pageIndex: number) => Promise<void>,
  ): Promise<string[][]> {
    const pages: string[][] = [];
    let pageToken: string | undefined;
    for (;;) {
      const page = await current.searchRuns({ ...input, ...(pageToken === undefined ? {} : { pageToken }) });
      pages.push(page.items.map((run) => run.info.run_id));
      if (page.nextPageToken === undefined) return pages;
      expect(pages.length, 'pages read').toBeLessThan(100);
      pageToken = page.nextPageToken;
      await between?.(pages.length);
    }
  }

  it('covers every run exactly once across pages', async () => {
    const experimentId = await context.createExperiment();
    const ids = await runsWithScores(experimentId, [5, 3, 8, 1, 9, 2, 7, 4, 6, 0]);
    const pages = await readRunPages(store(), { experimentIds: [experimentId], maxResults: 3 });
    expect(pages.slice(0, 3).every((page) => page.length === 3)).toBe(true);
    expect(pages.flat().sort()).toEqual([...ids].sort());
  });

  it('keeps the order across pages', async () => {
    const experimentId = await context.createExperiment();
    await runsWithScores(experimentId, [5, 3, 8, 1, 9, 2, 7]);
    const all = await store().searchRuns({ experimentIds: [experimentId], orderBy: ['metrics.score DESC'] });
    const pages = await readRunPages(store(), {
      experimentIds: [experimentId],
      orderBy: ['metrics.score DESC'],
      maxResults: 2,
    });
    expect(pages.flat()).toEqual(all.items.map((run) => run.info.run_id));
  });

  it('ends with a page that has no token (an exactly full last page may be followed by an empty one)', async () => {
    const experimentId = await context.createExperiment();
    await runsWithScores(experimentId, [1, 2, 3, 4]);
    const pages = await readRunPages(store(), { experimentIds: [experimentId], maxResults: 2 });
    expect(pages.flat()).toHaveLength(4);
    expect(pages.length === 2 || (pages.length === 3 && pages[2]?.length === 0)).toBe(true);
  });

  it('never repeats or skips a run when runs are created between pages (default order)', async () => {
    const experimentId = await context.createExperiment();
    const ids = await runsWithScores(experimentId, [1, 2, 3, 4, 5, 6, 7, 8]);
    const pages = await readRunPages(store(), { experimentIds: [experimentId], maxResults: 3 }, async () => {
      await context.createRun({ experimentId, startTime: 500 });
      await context.createRun({ experimentId, startTime: 999_999 });
    });
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
  });

  it('never repeats or skips a run when runs sorting before and after the cursor appear between pages', async () => {
    const experimentId = await context.createExperiment();
    const ids = await runsWithScores(experimentId, [10, 20, 30, 40, 50, 60, 70, 80, 90]);
    let inserted = 0;
    const pages = await readRunPages(
      store(),
      { experimentIds: [experimentId], orderBy: ['metrics.score ASC'], maxResults: 3 },
      async () => {
        inserted += 1;
        await runsWithScores(experimentId, [inserted, 100 + inserted, 45]);
      },
    );
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
  });

  it('rejects a token reused with another filter with INVALID_PARAMETER_VALUE', async () => {
    const experimentId = await context.createExperiment();
    await runsWithScores(experimentId, [1, 2, 3]);
    const page = await store().searchRuns({
      experimentIds: [experimentId],
      maxResults: 1,
      filter: 'metrics.score > 0',
    });
    expect(page.nextPageToken).toBeDefined();
    await expectCairnError(
      store().searchRuns({
        experimentIds: [experimentId],
        maxResults: 1,
        filter: 'metrics.score > 1',
        pageToken: page.nextPageToken ?? '',
      }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('rejects a token reused with other experiment ids with INVALID_PARAMETER_VALUE', async () => {
    const experimentId = await context.createExperiment();
    const otherId = await context.createExperiment();
    await runsWithScores(experimentId, [1, 2, 3]);
    const page = await store().searchRuns({ experimentIds: [experimentId], maxResults: 1 });
    await expectCairnError(
      store().searchRuns({ experimentIds: [otherId], maxResults: 1, pageToken: page.nextPageToken ?? '' }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it.each(['garbage', 'eyJvZmZzZXQiOiAxfQ==', '%%%'])(
    'rejects the page token %s with INVALID_PARAMETER_VALUE',
    async (pageToken) => {
      const experimentId = await context.createExperiment();
      await expectCairnError(
        store().searchRuns({ experimentIds: [experimentId], pageToken }),
        'INVALID_PARAMETER_VALUE',
      );
    },
  );

  it('pages experiments without repeats, also when experiments are created between pages', async () => {
    const prefix = uniqueName('paged');
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1)
      ids.push(await store().createExperiment({ name: `${prefix}-${index}` }));
    const filter = `name LIKE '${prefix}-%'`;
    const seen: string[] = [];
    let pageToken: string | undefined;
    let extra = 0;
    do {
      const page = await store().searchExperiments({
        filter,
        maxResults: 2,
        orderBy: ['name ASC'],
        ...(pageToken ? { pageToken } : {}),
      });
      seen.push(...page.items.map((experiment) => experiment.experiment_id));
      pageToken = page.nextPageToken;
      extra += 1;
      await store().createExperiment({ name: `${prefix}-${extra}-late` });
    } while (pageToken !== undefined && seen.length < 100);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
  });

  it('rejects an experiment-search token used for another view type with INVALID_PARAMETER_VALUE', async () => {
    for (let index = 0; index < 3; index += 1) await context.createExperiment('view');
    const page = await store().searchExperiments({ maxResults: 1 });
    await expectCairnError(
      store().searchExperiments({ maxResults: 1, viewType: 'ALL', pageToken: page.nextPageToken ?? '' }),
      'INVALID_PARAMETER_VALUE',
    );
  });
}
