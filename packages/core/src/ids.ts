import { customAlphabet } from 'nanoid';

const hex = customAlphabet('0123456789abcdef', 32);
const digits = customAlphabet('0123456789', 18);

/** A new run id: 32 lowercase hex characters, the shape of MLflow's uuid4().hex run ids. */
export function createRunId(): string {
  return hex();
}

/** A new MLflow 3 logged-model id: `m-` + 32 hex characters. */
export function createLoggedModelId(): string {
  return `m-${hex()}`;
}

/** A new trace id: `tr-` + 32 hex characters. */
export function createTraceId(): string {
  return `tr-${hex()}`;
}

/**
 * A new experiment id for stores without a sequence (MLflow's FileStore): an 18-digit decimal string that
 * never starts with 0, so it cannot collide with the Default experiment "0".
 */
export function createExperimentId(): string {
  const id = digits();
  return id.startsWith('0') ? `1${id.slice(1)}` : id;
}

/** The id and name of the Default experiment every store has. */
export const defaultExperiment = { id: '0', name: 'Default' } as const;
