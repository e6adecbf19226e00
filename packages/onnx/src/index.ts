export {
  createOnnxFlavor,
  type OnnxFlavorOptions,
  type OnnxModel,
  type OnnxModelSource,
  onnxFlavor,
  onnxModelFileName,
} from './onnx-flavor.js';
export type { OnnxRuntime } from './onnx-runtime.js';
export type { OnnxSessionOptions } from './onnx-session-config.js';
