import { CairnError } from '@cairn/core';

/** The parts of `onnxruntime-node` the flavor uses (its default export), so a caller can pass the module in. */
export type OnnxRuntime = Pick<
  typeof import('onnxruntime-node'),
  'InferenceSession' | 'Tensor' | 'listSupportedBackends'
>;

let loading: Promise<OnnxRuntime> | undefined;

/** Imports `onnxruntime-node` on first use (a peer dependency), with an error that says what to install. */
export function importOnnxRuntime(): Promise<OnnxRuntime> {
  loading ??= import('onnxruntime-node').then(
    (module) => ((module as { default?: OnnxRuntime }).default ?? module) as OnnxRuntime,
    (cause: unknown) => {
      loading = undefined;
      throw new CairnError(
        'INVALID_STATE',
        "the onnx flavor needs the 'onnxruntime-node' package, which could not be imported: install it next to @cairn/onnx (npm install onnxruntime-node)",
        { cause },
      );
    },
  );
  return loading;
}
