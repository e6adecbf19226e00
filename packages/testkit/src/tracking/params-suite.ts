import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import type { TrackingSuiteContext } from './tracking-context.js';

/** Params: write-once values, idempotent re-logging, truncation. */
export function paramsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  async function params(runId: string) {
    return (await store().getRun(runId)).data.params;
  }

  it('stores params that getRun returns', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      params: [
        { key: 'lr', value: '0.1' },
        { key: 'layers', value: '3' },
      ],
    });
    expect([...(await params(runId))].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'layers', value: '3' },
      { key: 'lr', value: '0.1' },
    ]);
  });

  it('accepts the same value logged again', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, params: [{ key: 'lr', value: '0.1' }] });
    await store().logBatch({ runId, params: [{ key: 'lr', value: '0.1' }] });
    expect(await params(runId)).toEqual([{ key: 'lr', value: '0.1' }]);
  });

  it('refuses to change a logged value with INVALID_PARAMETER_VALUE and keeps the first', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, params: [{ key: 'lr', value: '0.1' }] });
    await expectCairnError(
      store().logBatch({ runId, params: [{ key: 'lr', value: '0.2' }] }),
      'INVALID_PARAMETER_VALUE',
    );
    expect(await params(runId)).toEqual([{ key: 'lr', value: '0.1' }]);
  });

  it('truncates a value longer than 6000 characters to 6000', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, params: [{ key: 'long', value: `${'a'.repeat(6000)}tail` }] });
    expect((await params(runId))[0]?.value).toBe('a'.repeat(6000));
  });

  it('keeps a value of exactly 6000 characters', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    const value = `${'b'.repeat(5999)}z`;
    await store().logBatch({ runId, params: [{ key: 'exact', value }] });
    expect((await params(runId))[0]?.value).toBe(value);
  });

  it('treats a re-logged over-long value as the same truncated value', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, params: [{ key: 'long', value: 'c'.repeat(7000) }] });
    await store().logBatch({ runId, params: [{ key: 'long', value: 'c'.repeat(6500) }] });
    expect(await params(runId)).toHaveLength(1);
  });

  it('accepts an empty value', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, params: [{ key: 'empty', value: '' }] });
    expect(await params(runId)).toEqual([{ key: 'empty', value: '' }]);
  });

  it('round-trips unicode and punctuation in values', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    const value = 'λ=0.1, naïve: "yes" — 日本語\n\ttabbed';
    await store().logBatch({ runId, params: [{ key: 'text', value }] });
    expect(await params(runId)).toEqual([{ key: 'text', value }]);
  });

  it.each(['a/b', 'with space', 'x:y', 'a.b-c_d', 'k'.repeat(250)])('accepts the key %s', async (key) => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, params: [{ key, value: '1' }] });
    expect(await params(runId)).toEqual([{ key, value: '1' }]);
  });

  it('fails on an unknown run with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(
      store().logBatch({ runId: 'ffffffffffffffffffffffffffffffff', params: [{ key: 'a', value: '1' }] }),
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('keeps params per run', async () => {
    const experimentId = await context.createExperiment();
    const first = (await context.createRun({ experimentId })).info.run_id;
    const second = (await context.createRun({ experimentId })).info.run_id;
    await store().logBatch({ runId: first, params: [{ key: 'lr', value: '0.1' }] });
    await store().logBatch({ runId: second, params: [{ key: 'lr', value: '0.2' }] });
    expect(await params(first)).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(await params(second)).toEqual([{ key: 'lr', value: '0.2' }]);
  });
}
