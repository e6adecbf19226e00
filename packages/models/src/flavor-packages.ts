/**
 * The npm packages that load Cairn's own flavors: the flavor's package first, then the framework it keeps as a
 * peer dependency. Named in errors when a model needs a flavor that was not given; the scoring server imports
 * the first to find a model's flavor, and a generated Dockerfile installs them all.
 */
export const flavorPackages: Readonly<Record<string, readonly [string, ...string[]]>> = {
  js_function: ['@cairn/models'],
  onnx: ['@cairn/onnx', 'onnxruntime-node'],
  tfjs: ['@cairn/tfjs', '@tensorflow/tfjs'],
  openai: ['@cairn/openai', 'openai'],
};

/**
 * What loads a flavor, for an error message: its Cairn package, or for MLflow's Python-only flavors the Python
 * module that does (`python_function` names its `loader_module`, e.g. mlflow.sklearn).
 */
export function flavorLoaderName(name: string, config: Readonly<Record<string, unknown>>): string {
  const cairnPackage = flavorPackages[name]?.[0];
  if (cairnPackage !== undefined) return cairnPackage;
  if (name === 'python_function') {
    const loader = typeof config.loader_module === 'string' ? config.loader_module : 'mlflow.pyfunc';
    return `Python's ${loader} (no JavaScript loader)`;
  }
  return `Python's mlflow.${name} (no JavaScript loader)`;
}

/** A flavor as the error lists it: `python_function (loader_module mlflow.sklearn)`, `onnx`. */
export function describeFlavor(name: string, config: Readonly<Record<string, unknown>>): string {
  return name === 'python_function' && typeof config.loader_module === 'string'
    ? `python_function (loader_module ${config.loader_module})`
    : name;
}
