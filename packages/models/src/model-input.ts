/**
 * What a model is given and what it answers, in the shapes MLflow's pyfunc models take: a table (pandas'
 * DataFrame), a tensor (numpy's ndarray), named tensors (a dict of ndarrays), or any other JSON value (a
 * list of strings for a language model, a dict...). Inputs are tagged so a flavor switches on `kind`
 * instead of guessing; `toModelInput` turns plain JavaScript values into them.
 */

/** MLflow's column types, as a ColSpec names them. */
export type ColumnType =
  | 'boolean'
  | 'integer'
  | 'long'
  | 'float'
  | 'double'
  | 'string'
  | 'binary'
  | 'datetime';

/** The numpy dtype names MLflow writes in a TensorSpec. */
export type TensorDType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'str'
  | 'bytes'
  | 'object';

/** A table: named columns and rows of values in column order (pandas' `split` orient). */
export interface DataFrame {
  readonly kind: 'dataframe';
  readonly columns: readonly string[];
  /** One array per row, each holding the row's values in the order of `columns`. */
  readonly rows: readonly (readonly unknown[])[];
}

/** An n-dimensional array stored flat in row-major order. */
export interface Tensor {
  readonly kind: 'tensor';
  readonly dtype: TensorDType;
  /** The size of each dimension; `data.length` is their product. */
  readonly shape: readonly number[];
  readonly data: ArrayLike<unknown>;
}

/** Named tensors (a model with several inputs, or the `inputs` of a request as a dict). */
export interface TensorMap {
  readonly kind: 'tensors';
  readonly tensors: Readonly<Record<string, Tensor>>;
}

/** Any other JSON value, passed to the model as it is (no signature, or one that does not apply). */
export interface JsonInput {
  readonly kind: 'json';
  readonly value: unknown;
}

/** What `predict` receives after the model's signature has been enforced. */
export type ModelInput = DataFrame | Tensor | TensorMap | JsonInput;

/** Inference parameters (`params` of a request), checked against the signature's ParamSchema. */
export type PredictParams = Readonly<Record<string, unknown>>;

/**
 * What `predict` answers: a DataFrame, a Tensor, named tensors, or any JSON value. The scoring server writes
 * it as MLflow's `{"predictions": ...}` (a DataFrame as records, a tensor as nested lists).
 */
export type ModelOutput = DataFrame | Tensor | TensorMap | unknown;
