import type { ColumnType, TensorDType } from './model-input.js';

/** One column of a column-based schema (MLflow's ColSpec). */
export interface ColSpec {
  /** A base type, or MLflow's `array`/`object`/`map` types as their JSON dicts. */
  readonly type: ColumnType | Readonly<Record<string, unknown>>;
  /** Absent for an unnamed column (a schema of one unnamed column, e.g. a list of strings). */
  readonly name?: string;
  /** False when the column may be missing (MLflow's `required: false`). */
  readonly required: boolean;
}

/** One tensor of a tensor-based schema (MLflow's TensorSpec). */
export interface TensorSpec {
  readonly dtype: TensorDType;
  /** -1 for a dimension of any size. */
  readonly shape: readonly number[];
  readonly name?: string;
}

/** A schema is either all columns or all tensors, as in MLflow. */
export type Schema =
  | { readonly kind: 'columns'; readonly columns: readonly ColSpec[] }
  | { readonly kind: 'tensors'; readonly tensors: readonly TensorSpec[] };

/** One inference parameter (MLflow's ParamSpec). */
export interface ParamSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly default: unknown;
  /** `null` for a scalar, `[-1]` for a list. */
  readonly shape: readonly number[] | null;
}

/** A model's signature: what it takes, what it answers, which parameters it accepts. */
export interface ModelSignature {
  readonly inputs?: Schema;
  readonly outputs?: Schema;
  readonly params?: readonly ParamSpec[];
}
