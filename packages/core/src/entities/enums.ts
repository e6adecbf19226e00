import { z } from 'zod';

/** A run's status, with MLflow's proto numbers in {@link runStatusNumber}. */
export const runStatusSchema = z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);
export type RunStatus = z.infer<typeof runStatusSchema>;
export const runStatusNumber: Record<RunStatus, number> = {
  RUNNING: 1,
  SCHEDULED: 2,
  FINISHED: 3,
  FAILED: 4,
  KILLED: 5,
};

/** Whether an experiment or run is live or soft-deleted. */
export const lifecycleStageSchema = z.enum(['active', 'deleted']);
export type LifecycleStage = z.infer<typeof lifecycleStageSchema>;

/** Which lifecycle stages a search returns. */
export const viewTypeSchema = z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']);
export type ViewType = z.infer<typeof viewTypeSchema>;
export const viewTypeNumber: Record<ViewType, number> = { ACTIVE_ONLY: 1, DELETED_ONLY: 2, ALL: 3 };

/** Where a run's code came from. */
export const sourceTypeSchema = z.enum(['NOTEBOOK', 'JOB', 'PROJECT', 'LOCAL', 'UNKNOWN']);
export type SourceType = z.infer<typeof sourceTypeSchema>;
export const sourceTypeNumber: Record<SourceType, number> = {
  NOTEBOOK: 1,
  JOB: 2,
  PROJECT: 3,
  LOCAL: 4,
  UNKNOWN: 1000,
};

/** A model version's (legacy) deployment stage. `Deleted_Internal` marks a soft-deleted version. */
export const modelVersionStageSchema = z.enum(['None', 'Staging', 'Production', 'Archived']);
export type ModelVersionStage = z.infer<typeof modelVersionStageSchema>;

/** A model version's registration status. */
export const modelVersionStatusSchema = z.enum(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY']);
export type ModelVersionStatus = z.infer<typeof modelVersionStatusSchema>;

/** A trace's state (TraceInfoV3.state). */
export const traceStateSchema = z.enum(['STATE_UNSPECIFIED', 'OK', 'ERROR', 'IN_PROGRESS']);
export type TraceState = z.infer<typeof traceStateSchema>;

/** The status of an MLflow 3 logged model. */
export const loggedModelStatusSchema = z.enum([
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
]);
export type LoggedModelStatus = z.infer<typeof loggedModelStatusSchema>;
export const loggedModelStatusNumber: Record<LoggedModelStatus, number> = {
  LOGGED_MODEL_STATUS_UNSPECIFIED: 0,
  LOGGED_MODEL_PENDING: 1,
  LOGGED_MODEL_READY: 2,
  LOGGED_MODEL_UPLOAD_FAILED: 3,
};

/** Reads an enum given by name or by its proto number (protobuf JSON accepts both). */
export function enumFromWire<T extends string>(numbers: Record<T, number>, value: unknown): T | undefined {
  if (typeof value === 'string' && Object.hasOwn(numbers, value)) return value as T;
  const asNumber = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  for (const [name, number] of Object.entries(numbers) as [T, number][]) {
    if (number === asNumber) return name;
  }
  return undefined;
}
