import { CairnError } from '@cairn/core';
import type { InferenceSession } from 'onnxruntime-node';

/**
 * MLflow's onnx flavor configuration (`providers`, `onnx_session_options`) and what onnxruntime-node makes
 * of it. MLflow writes Python's provider names and `onnxruntime.SessionOptions` attribute names; Node's
 * binding names both differently.
 */

/** The session options MLflow's loader applies, in camelCase; saved under `onnx_session_options`. */
export interface OnnxSessionOptions {
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  readonly executionMode?: 'sequential' | 'parallel';
  /** onnxruntime's levels: 0 none, 1 basic, 2 extended, 99 all. */
  readonly graphOptimizationLevel?: 0 | 1 | 2 | 99;
  /** Session configuration entries (`session.intra_op.allow_spinning`: `'0'`...). */
  readonly extraSessionConfig?: Readonly<Record<string, string>>;
}

/** MLflow's default, written when no providers are given (GPU first, CPU as the fallback). */
export const defaultExecutionProviders = ['CUDAExecutionProvider', 'CPUExecutionProvider'] as const;

const providerNames: Record<string, string> = {
  CPUExecutionProvider: 'cpu',
  CUDAExecutionProvider: 'cuda',
  TensorrtExecutionProvider: 'tensorrt',
  DmlExecutionProvider: 'dml',
  CoreMLExecutionProvider: 'coreml',
  WebGpuExecutionProvider: 'webgpu',
  QNNExecutionProvider: 'qnn',
};

const graphOptimizationLevels = { 0: 'disabled', 1: 'basic', 2: 'extended', 99: 'all' } as const;

function bad(message: string): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', message);
}

function nonNegativeInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw bad(`${field} must be an integer >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks session options and answers them with MLflow's snake_case keys, as `onnx_session_options` holds them. */
export function sessionOptionsEntry(options: OnnxSessionOptions): Record<string, unknown> {
  const known = new Set([
    'intraOpNumThreads',
    'interOpNumThreads',
    'executionMode',
    'graphOptimizationLevel',
    'extraSessionConfig',
  ]);
  const unknown = Object.keys(options).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw bad(
      `sessionOptions.${unknown[0]} is not an onnx session option; the options are ${[...known].join(', ')}`,
    );
  }
  const entry: Record<string, unknown> = {};
  if (options.intraOpNumThreads !== undefined) {
    entry.intra_op_num_threads = nonNegativeInteger(
      options.intraOpNumThreads,
      'sessionOptions.intraOpNumThreads',
    );
  }
  if (options.interOpNumThreads !== undefined) {
    entry.inter_op_num_threads = nonNegativeInteger(
      options.interOpNumThreads,
      'sessionOptions.interOpNumThreads',
    );
  }
  if (options.executionMode !== undefined) {
    if (options.executionMode !== 'sequential' && options.executionMode !== 'parallel') {
      throw bad(
        `sessionOptions.executionMode must be 'sequential' or 'parallel', got ${JSON.stringify(options.executionMode)}`,
      );
    }
    entry.execution_mode = options.executionMode;
  }
  if (options.graphOptimizationLevel !== undefined) {
    if (!Object.hasOwn(graphOptimizationLevels, options.graphOptimizationLevel)) {
      throw bad(
        `sessionOptions.graphOptimizationLevel must be 0, 1, 2 or 99, got ${JSON.stringify(options.graphOptimizationLevel)}`,
      );
    }
    entry.graph_optimization_level = options.graphOptimizationLevel;
  }
  if (options.extraSessionConfig !== undefined) {
    const config = options.extraSessionConfig;
    if (
      typeof config !== 'object' ||
      config === null ||
      Object.values(config).some((value) => typeof value !== 'string')
    ) {
      throw bad('sessionOptions.extraSessionConfig must be an object of string values');
    }
    entry.extra_session_config = { ...config };
  }
  return entry;
}

/** Checks a providers list for `providers`: Python's provider names (a name, or [name, options]). */
export function providersEntry(providers: readonly unknown[]): unknown[] {
  return providers.map((provider, index) => {
    const name = Array.isArray(provider) ? provider[0] : provider;
    if (typeof name !== 'string' || name === '') {
      throw bad(
        `executionProviders[${index}] must be a provider name such as 'CPUExecutionProvider', got ${JSON.stringify(provider)}`,
      );
    }
    return Array.isArray(provider) ? [...provider] : provider;
  });
}

/**
 * Node's execution providers for the MLmodel's `providers` (a list, a single name, or null as hand-written
 * files have it): the ones onnxruntime-node ships (`bundled`), in the MLmodel's order, CPU when none is.
 * Unbundled providers (CUDA, TensorRT) need libraries the npm package does not carry; `createOnnxFlavor`'s
 * `executionProviders` asks for them explicitly.
 */
export function nodeExecutionProviders(providers: unknown, bundled: ReadonlySet<string>): string[] {
  const list = typeof providers === 'string' ? [providers] : Array.isArray(providers) ? providers : [];
  const names = list
    .map((provider) => (Array.isArray(provider) ? provider[0] : provider))
    .map((name) => (typeof name === 'string' ? (providerNames[name] ?? name.toLowerCase()) : undefined))
    .filter((name): name is string => name !== undefined && bundled.has(name));
  return names.length > 0 ? [...new Set(names)] : ['cpu'];
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** onnxruntime-node's session options for the MLmodel's `onnx_session_options`; unknown keys are ignored, as MLflow's loader ignores them. */
export function nodeSessionOptions(entry: unknown): InferenceSession.SessionOptions {
  if (typeof entry !== 'object' || entry === null) return {};
  const options = entry as Record<string, unknown>;
  const session: Record<string, unknown> = {};
  const intra = number(options.intra_op_num_threads);
  if (intra !== undefined) session.intraOpNumThreads = intra;
  const inter = number(options.inter_op_num_threads);
  if (inter !== undefined) session.interOpNumThreads = inter;
  const mode = typeof options.execution_mode === 'string' ? options.execution_mode.toLowerCase() : undefined;
  if (mode === 'sequential' || mode === 'parallel') session.executionMode = mode;
  const level =
    graphOptimizationLevels[options.graph_optimization_level as keyof typeof graphOptimizationLevels];
  if (level !== undefined) session.graphOptimizationLevel = level;
  const extra = options.extra_session_config;
  if (typeof extra === 'object' && extra !== null) {
    session.extra = Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, String(value)]));
  }
  return session as InferenceSession.SessionOptions;
}
