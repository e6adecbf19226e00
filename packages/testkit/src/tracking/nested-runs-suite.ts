import { expect, it } from 'vitest';
import type { TrackingSuiteContext } from './tracking-context.js';

const parentTag = 'mlflow.parentRunId';

/** Nested runs: children point at their parent through the mlflow.parentRunId tag. */
export function nestedRunsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  async function family(experimentId: string, children: number) {
    const parent = await context.createRun({ experimentId, runName: 'parent' });
    const kids = [];
    for (let index = 0; index < children; index += 1) {
      kids.push(
        await context.createRun({ experimentId, tags: [{ key: parentTag, value: parent.info.run_id }] }),
      );
    }
    return { parent, kids };
  }

  it('keeps the parent run id tag on the child', async () => {
    const experimentId = await context.createExperiment();
    const { parent, kids } = await family(experimentId, 1);
    const child = await store().getRun(kids[0]?.info.run_id ?? '');
    expect(child.data.tags).toContainEqual({ key: parentTag, value: parent.info.run_id });
  });

  it('finds the children of a parent by tag', async () => {
    const experimentId = await context.createExperiment();
    const { parent, kids } = await family(experimentId, 3);
    const page = await store().searchRuns({
      experimentIds: [experimentId],
      filter: `tags.\`${parentTag}\` = '${parent.info.run_id}'`,
    });
    expect(page.items.map((run) => run.info.run_id).sort()).toEqual(
      kids.map((run) => run.info.run_id).sort(),
    );
  });

  it('keeps the children of two parents apart', async () => {
    const experimentId = await context.createExperiment();
    const first = await family(experimentId, 2);
    const second = await family(experimentId, 1);
    const page = await store().searchRuns({
      experimentIds: [experimentId],
      filter: `tags."${parentTag}" = '${second.parent.info.run_id}'`,
    });
    expect(page.items.map((run) => run.info.run_id)).toEqual([second.kids[0]?.info.run_id]);
    expect(first.kids).toHaveLength(2);
  });

  it('finds children case-insensitively with ILIKE on the parent id', async () => {
    const experimentId = await context.createExperiment();
    const { parent } = await family(experimentId, 2);
    const page = await store().searchRuns({
      experimentIds: [experimentId],
      filter: `tags.\`${parentTag}\` ILIKE '${parent.info.run_id.slice(0, 8).toUpperCase()}%'`,
    });
    expect(page.items).toHaveLength(2);
  });

  it('lets a parent be set after creation', async () => {
    const experimentId = await context.createExperiment();
    const parent = await context.createRun({ experimentId });
    const child = await context.createRun({ experimentId });
    await store().logBatch({
      runId: child.info.run_id,
      tags: [{ key: parentTag, value: parent.info.run_id }],
    });
    const page = await store().searchRuns({
      experimentIds: [experimentId],
      filter: `tags.\`${parentTag}\` = '${parent.info.run_id}'`,
    });
    expect(page.items.map((run) => run.info.run_id)).toEqual([child.info.run_id]);
  });
}
