import {
  bytesField,
  concatFields,
  fieldText,
  fieldVarints,
  readFields,
  varintField,
  type WireField,
  WireFormatError,
} from './protobuf-wire.js';

/**
 * The few facts about an ONNX model (onnx.proto's ModelProto) the flavor needs without a runtime: that the
 * bytes are a model at all, its IR version, the external data files its tensors point at, and the ZipMap
 * outputs onnxruntime-node cannot return.
 */

// Field numbers from onnx.proto.
const model = { irVersion: 1, graph: 7 } as const;
const graph = { node: 1, initializer: 5, output: 12, sparseInitializer: 15 } as const;
const node = { input: 1, output: 2, opType: 4, attribute: 5, domain: 7 } as const;
const attribute = {
  name: 1,
  t: 5,
  g: 6,
  ints: 8,
  strings: 9,
  tensors: 10,
  graphs: 11,
  sparseTensor: 22,
} as const;
const tensor = { externalData: 13, dataLocation: 14 } as const;
const sparseTensor = { values: 1, indices: 2 } as const;
const entry = { key: 1, value: 2 } as const;
const tensorDataLocationExternal = 1n;
const elemTypeFloat = 1;

/** A ZipMap node feeding a graph output: skl2onnx's classifier probabilities as one map per row. */
export interface ZipMapOutput {
  /** The graph output the ZipMap produced (`output_probability`). */
  readonly output: string;
  /** The probability tensor the ZipMap read, exposed as a graph output in its place. */
  readonly tensor: string;
  /** The class labels, in the tensor's column order (the maps' keys). */
  readonly labels: readonly (number | string)[];
}

/** What {@link inspectOnnxModel} reads. */
export interface OnnxModelFacts {
  readonly irVersion: number;
  /** The `location` of every tensor stored outside the file, relative to the file's directory. */
  readonly externalData: readonly string[];
  readonly zipMaps: readonly ZipMapOutput[];
}

function children(fields: readonly WireField[], number: number): WireField[][] {
  return fields
    .filter((field) => field.number === number && field.bytes !== undefined)
    .map((field) => readFields(field.bytes as Uint8Array));
}

function text(fields: readonly WireField[], number: number): string | undefined {
  const field = fields.find((candidate) => candidate.number === number && candidate.bytes !== undefined);
  return field === undefined ? undefined : fieldText(field);
}

function collectTensor(fields: readonly WireField[], into: Set<string>): void {
  if (fieldVarints(fields, tensor.dataLocation).at(-1) !== tensorDataLocationExternal) return;
  for (const pair of children(fields, tensor.externalData)) {
    if (text(pair, entry.key) === 'location') into.add(text(pair, entry.value) ?? '');
  }
}

function collectGraph(fields: readonly WireField[], into: Set<string>): void {
  for (const initializer of children(fields, graph.initializer)) collectTensor(initializer, into);
  for (const sparse of children(fields, graph.sparseInitializer)) {
    for (const part of [sparseTensor.values, sparseTensor.indices]) {
      for (const inner of children(sparse, part)) collectTensor(inner, into);
    }
  }
  for (const nodeFields of children(fields, graph.node)) {
    for (const attributeFields of children(nodeFields, node.attribute)) {
      for (const inner of [
        ...children(attributeFields, attribute.t),
        ...children(attributeFields, attribute.tensors),
      ]) {
        collectTensor(inner, into);
      }
      for (const sparse of children(attributeFields, attribute.sparseTensor)) {
        for (const inner of children(sparse, sparseTensor.values)) collectTensor(inner, into);
      }
      for (const subgraph of [
        ...children(attributeFields, attribute.g),
        ...children(attributeFields, attribute.graphs),
      ]) {
        collectGraph(subgraph, into);
      }
    }
  }
}

function zipMapsOf(graphFields: readonly WireField[]): ZipMapOutput[] {
  const outputs = new Set(children(graphFields, graph.output).map((valueInfo) => text(valueInfo, 1) ?? ''));
  const found: ZipMapOutput[] = [];
  for (const nodeFields of children(graphFields, graph.node)) {
    if (text(nodeFields, node.opType) !== 'ZipMap') continue;
    const output = text(nodeFields, node.output);
    const input = text(nodeFields, node.input);
    if (output === undefined || input === undefined || !outputs.has(output)) continue;
    let labels: (number | string)[] = [];
    for (const attributeFields of children(nodeFields, node.attribute)) {
      const name = text(attributeFields, attribute.name);
      if (name === 'classlabels_int64s')
        labels = fieldVarints(attributeFields, attribute.ints).map((v) => Number(BigInt.asIntN(64, v)));
      if (name === 'classlabels_strings') {
        labels = attributeFields.filter((field) => field.number === attribute.strings).map(fieldText);
      }
    }
    found.push({ output, tensor: input, labels });
  }
  return found;
}

function modelParts(bytes: Uint8Array): {
  modelFields: WireField[];
  graphFields: WireField[];
  irVersion: number;
} {
  const modelFields = readFields(bytes);
  const irVersion = fieldVarints(modelFields, model.irVersion).at(-1);
  const graphField = modelFields.find((field) => field.number === model.graph && field.bytes !== undefined);
  if (irVersion === undefined || graphField === undefined) {
    throw new WireFormatError('no ir_version or no graph: not an ONNX ModelProto');
  }
  return {
    modelFields,
    graphFields: readFields(graphField.bytes as Uint8Array),
    irVersion: Number(irVersion),
  };
}

/** Reads an ONNX model's facts; throws WireFormatError when the bytes are not an ONNX model. */
export function inspectOnnxModel(bytes: Uint8Array): OnnxModelFacts {
  const { graphFields, irVersion } = modelParts(bytes);
  const externalData = new Set<string>();
  collectGraph(graphFields, externalData);
  return { irVersion, externalData: [...externalData], zipMaps: zipMapsOf(graphFields) };
}

/**
 * The model with its ZipMap outputs removed: each ZipMap node that feeds a graph output goes, and the
 * probability tensor it read becomes that output (as a float tensor), in the same position. The caller
 * rebuilds the maps from the tensor and the labels, as onnxruntime's Python API would have returned them.
 */
export function withoutZipMaps(bytes: Uint8Array, zipMaps: readonly ZipMapOutput[]): Uint8Array {
  const { modelFields, graphFields } = modelParts(bytes);
  const byOutput = new Map(zipMaps.map((zipMap) => [zipMap.output, zipMap]));
  const outputNames = new Set(
    children(graphFields, graph.output).map((valueInfo) => text(valueInfo, 1) ?? ''),
  );
  const graphParts: Uint8Array[] = [];
  for (const field of graphFields) {
    if (field.number === graph.node && field.bytes !== undefined) {
      const nodeFields = readFields(field.bytes);
      const output = text(nodeFields, node.output) ?? '';
      if (text(nodeFields, node.opType) === 'ZipMap' && byOutput.has(output)) continue;
    }
    if (field.number === graph.output && field.bytes !== undefined) {
      const zipMap = byOutput.get(text(readFields(field.bytes), 1) ?? '');
      if (zipMap !== undefined) {
        // A tensor that is already an output is not listed twice.
        if (outputNames.has(zipMap.tensor)) continue;
        const tensorType = bytesField(1, varintField(1, elemTypeFloat));
        graphParts.push(
          bytesField(graph.output, concatFields([bytesField(1, zipMap.tensor), bytesField(2, tensorType)])),
        );
        continue;
      }
    }
    graphParts.push(field.raw);
  }
  const graphBytes = concatFields(graphParts);
  return concatFields(
    modelFields.map((field) =>
      field.number === model.graph ? bytesField(model.graph, graphBytes) : field.raw,
    ),
  );
}

/** The onnx (Python package) release that introduced an IR version, what MLflow's `onnx_version` records. */
export function onnxReleaseForIrVersion(irVersion: number): string {
  const releases: Record<number, string> = {
    3: '1.0.0',
    4: '1.4.1',
    5: '1.5.0',
    6: '1.6.0',
    7: '1.7.0',
    8: '1.10.0',
    9: '1.14.0',
    10: '1.16.0',
    11: '1.18.0',
    12: '1.19.0',
    13: '1.20.0',
    14: '1.23.0',
  };
  const known = Object.keys(releases).map(Number);
  return releases[irVersion] ?? releases[Math.min(Math.max(irVersion, 3), Math.max(...known))] ?? '1.0.0';
}
