import type { ModelSignature } from './signature.js';

/**
 * An `MLmodel` file, MLflow's model metadata (YAML), with its keys in camelCase. Keys Cairn does not know are
 * kept in `extra` and written back unchanged, so a file MLflow wrote survives a read and a write.
 */
export interface MLmodel {
  /** Where the model sits under its run's artifacts (MLflow 2 `log_model`), when logged. */
  readonly artifactPath?: string;
  /** One entry per flavor: the flavor's name to its configuration. Unknown flavors are kept. */
  readonly flavors: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly modelUuid?: string;
  /** The MLflow 3 logged model (`m-...`) this directory belongs to. */
  readonly modelId?: string;
  readonly runId?: string;
  /** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, as MLflow writes it. */
  readonly utcTimeCreated?: string;
  /** The version of the producer: MLflow's `mlflow_version`, or Cairn's version under `cairn_version`. */
  readonly mlflowVersion?: string;
  readonly cairnVersion?: string;
  readonly signature?: ModelSignature;
  /** Where the input example is and how it is stored (`artifact_path`, `type`, `pandas_orient`...). */
  readonly savedInputExampleInfo?: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Size of the model directory in bytes, as MLflow 2.x+ records it. */
  readonly modelSizeBytes?: number;
  /** Every other key of the file, as read. */
  readonly extra?: Readonly<Record<string, unknown>>;
}
