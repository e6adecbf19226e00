import {
  type Metric,
  type MetricHistorySampleReader,
  type MetricStepBounds,
  type MetricStepRange,
  sampledStepRanks,
} from '@cairn/core';
import { type RawBuilder, sql } from 'kysely';
import { latticeStepsAtRanks, type StepProgression, stepLattice } from './metric-step-lattice.js';
import type { SqlDatabase } from './open-sql-database.js';
import { metricValueFromRow, toNumber, toOptionalNumber } from './sql-values.js';

/**
 * get-history-bulk-interval's reads in SQL, so sampling never loads a history: every query is bound
 * parameters over MLflow's `index_metrics_run_uuid_key_step` (run_uuid, key, step). Bounds and range heads
 * are index seeks. Counting the distinct steps of a range has to walk the index (no B-tree here keeps
 * counts), so the common shape is walked once per run and counted without a merge: when every run's steps
 * are an arithmetic progression on one lattice (every step, or every k-th, as training loops log them),
 * their union and the steps at MLflow's ranks are arithmetic. Any other shape is counted and ranked in SQL
 * (DISTINCT, then ROW_NUMBER), which costs two walks of the merged steps but still sends only the picks.
 */
export function createSqlMetricSampleReader(database: SqlDatabase): MetricHistorySampleReader {
  const { db } = database;

  const stepsOf = (runIds: readonly string[], metricKey: string) => {
    const query = db.selectFrom('metrics').where('key', '=', metricKey);
    return runIds.length === 1
      ? query.where('run_uuid', '=', runIds[0] as string)
      : query.where('run_uuid', 'in', [...runIds]);
  };
  // Without statistics (MLflow never runs ANALYZE) SQLite's planner prefers the covering primary key from
  // `key` (every run's points of the metric) to seeks into (run_uuid, key, step) when a query names several
  // runs or steps: a sample over runs sharing a key with a million-point history took seconds. The queries
  // below name the index on SQLite; the other databases keep statistics and choose it themselves.
  const byRun =
    database.dialect === 'sqlite' ? sql`metrics INDEXED BY index_metrics_run_uuid_key_step` : sql`metrics`;
  const [key, step, runUuid] = [sql.ref('key'), sql.ref('step'), sql.ref('run_uuid')];
  const distinctStepsIn = (range: MetricStepRange) =>
    sql`SELECT DISTINCT ${step} FROM ${byRun}
        WHERE ${runUuid} IN (${sql.join([...range.runIds])}) AND ${key} = ${range.metricKey}
          AND ${step} >= ${range.startStep} AND ${step} <= ${range.endStep}`;
  const stepsFrom = async (query: RawBuilder<{ step: number | string }>) =>
    (await query.execute(db)).rows.map((row) => toNumber(row.step));

  /** Each run's first, second and last step of the range (three index seeks each), in one statement. */
  async function rangeHeads(range: MetricStepRange) {
    const heads = range.runIds.map((runId, position) => {
      const inRange = () =>
        stepsOf([runId], range.metricKey)
          .where('step', '>=', range.startStep)
          .where('step', '<=', range.endStep);
      const first = inRange().select((eb) => eb.fn.min('step').as('step'));
      const second = inRange()
        .select((eb) => eb.fn.min('step').as('step'))
        .where('step', '>', first);
      const last = inRange().select((eb) => eb.fn.max('step').as('step'));
      return db.selectNoFrom([
        sql.lit(position).as('position'),
        first.as('first_step'),
        second.as('second_step'),
        last.as('last_step'),
      ]);
    });
    const [head, ...rest] = heads;
    if (head === undefined) return [];
    const rows = await rest.reduce((all, next) => all.unionAll(next), head).execute();
    return rows.flatMap((row) => {
      const first = toOptionalNumber(row.first_step);
      const last = toOptionalNumber(row.last_step);
      if (first === undefined || last === undefined) return [];
      const runId = range.runIds[toNumber(row.position)] as string;
      return [{ runId, first, second: toOptionalNumber(row.second_step), last }];
    });
  }

  /**
   * One run's distinct steps in the range, and how many of its points lie off the lattice `first + stride *
   * n` (always 0 for stride 1): the one walk over the run's index entries.
   */
  async function walkRun(range: MetricStepRange, runId: string, first: number, stride: number) {
    const scope = stepsOf([runId], range.metricKey)
      .where('step', '>=', range.startStep)
      .where('step', '<=', range.endStep);
    const offLattice = sql<number | string>`SUM((${sql.ref('step')} - ${first}) % ${stride})`.as(
      'off_lattice',
    );
    const zero = sql<number>`0`.as('off_lattice');
    const row =
      database.dialect === 'sqlite'
        ? // SQLite counts distinct values of an index-ordered column without sorting; a DISTINCT subquery
          // costs it a coroutine step per entry (about 1.4x as long).
          await scope
            .select((eb) => [eb.fn.count('step').distinct().as('steps'), stride > 1 ? offLattice : zero])
            .executeTakeFirstOrThrow()
        : // PostgreSQL sorts the input of COUNT(DISTINCT); DISTINCT over the index needs no sort.
          await db
            .selectFrom(scope.select('step').distinct().as('distinct_steps'))
            .select((eb) => [eb.fn.countAll().as('steps'), stride > 1 ? offLattice : zero])
            .executeTakeFirstOrThrow();
    return { steps: toNumber(row.steps), offLattice: toOptionalNumber(row.off_lattice) ?? 0 };
  }

  /**
   * The union as a lattice when every run's steps in the range are a progression on a common one; a run
   * that is not (checked by walking its steps: count, last step, steps off the lattice) ends the attempt.
   */
  async function progressionLattice(range: MetricStepRange) {
    const heads = await rangeHeads(range);
    if (heads.length === 0) return { runs: 0, lattice: undefined };
    const strides = new Set(
      heads.flatMap((head) => (head.second === undefined ? [] : [head.second - head.first])),
    );
    if (strides.size > 1) return { runs: heads.length, lattice: undefined };
    const stride = strides.values().next().value ?? 1;
    const progressions: StepProgression[] = [];
    for (const head of heads) {
      if (head.second === undefined) {
        progressions.push({ first: head.first, last: head.first, stride: undefined });
        continue;
      }
      const walked = await walkRun(range, head.runId, head.first, stride);
      const last = head.last;
      if (walked.offLattice !== 0 || last - head.first !== (walked.steps - 1) * stride) {
        return { runs: heads.length, lattice: undefined };
      }
      progressions.push({ first: head.first, last, stride });
    }
    return { runs: heads.length, lattice: stepLattice(progressions) };
  }

  return {
    async stepBounds(runIds, metricKey) {
      const selects = runIds.map((runId, position) =>
        db.selectNoFrom([
          sql.lit(position).as('position'),
          stepsOf([runId], metricKey)
            .select((eb) => eb.fn.min('step').as('step'))
            .as('min_step'),
          stepsOf([runId], metricKey)
            .select((eb) => eb.fn.max('step').as('step'))
            .as('max_step'),
        ]),
      );
      const [head, ...rest] = selects;
      if (head === undefined) return [];
      const rows = await rest.reduce((all, next) => all.unionAll(next), head).execute();
      const bounds: MetricStepBounds[] = [];
      for (const row of rows) {
        const minStep = toOptionalNumber(row.min_step);
        const maxStep = toOptionalNumber(row.max_step);
        if (minStep === undefined || maxStep === undefined) continue;
        bounds.push({ runId: runIds[toNumber(row.position)] as string, minStep, maxStep });
      }
      return bounds;
    },

    async sampledSteps(range, maxResults) {
      const { runs, lattice } = await progressionLattice(range);
      if (runs === 0) return [];
      if (lattice !== undefined)
        return latticeStepsAtRanks(lattice, sampledStepRanks(lattice.count, maxResults));
      const counted = await sql<{
        steps: number | string;
      }>`SELECT COUNT(*) AS steps FROM (${distinctStepsIn(range)}) distinct_steps`.execute(db);
      const count = toNumber(counted.rows[0]?.steps ?? 0);
      if (count <= maxResults) return stepsFrom(sql`${distinctStepsIn(range)} ORDER BY ${step}`);
      const positions = sampledStepRanks(count, maxResults).map((rank) => rank + 1);
      return stepsFrom(
        sql`SELECT ${step} FROM (
              SELECT ${step}, ROW_NUMBER() OVER (ORDER BY ${step}) AS step_rank
              FROM (${distinctStepsIn(range)}) distinct_steps
            ) ranked
            WHERE step_rank IN (${sql.join(positions)}) ORDER BY ${step}`,
      );
    },

    async pointsAtSteps(runId, metricKey, steps, limit) {
      if (steps.length === 0) return [];
      const [value, timestamp, isNan] = [sql.ref('value'), sql.ref('timestamp'), sql.ref('is_nan')];
      const { rows } = await sql<{
        value: number | string;
        timestamp: number | string;
        step: number | string;
        is_nan: boolean | number | string;
      }>`SELECT ${value}, ${timestamp}, ${step}, ${isNan} FROM ${byRun}
         WHERE ${runUuid} = ${runId} AND ${key} = ${metricKey} AND ${step} IN (${sql.join([...steps])})
         ORDER BY ${step}, ${timestamp}, ${isNan}, ${value} LIMIT ${limit}`.execute(db);
      return rows.map(
        (row): Metric => ({
          key: metricKey,
          value: metricValueFromRow(row.value, row.is_nan),
          timestamp: toNumber(row.timestamp),
          step: toNumber(row.step),
        }),
      );
    },
  };
}
