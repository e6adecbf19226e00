import { bytesField, concatFields, varintField } from './protobuf-wire.js';

/**
 * Tiny ONNX models written field by field from onnx.proto (onnxruntime-node runs graphs but cannot build
 * them), so the unit tests need neither Python nor committed binaries.
 */

/** onnx.proto's TensorProto.DataType values the tests use. */
export const elemType = { float: 1, int64: 7, string: 8, bool: 9, double: 11, int32: 6 } as const;

type Dim = number | string | null;

function shapeOf(dims: readonly Dim[]): Uint8Array {
  return concatFields(
    dims.map((dim) =>
      bytesField(
        1,
        typeof dim === 'number'
          ? varintField(1, dim)
          : typeof dim === 'string'
            ? bytesField(2, dim)
            : new Uint8Array(),
      ),
    ),
  );
}

/** TypeProto for a tensor. */
export function tensorType(type: number, dims?: readonly Dim[]): Uint8Array {
  const parts = [varintField(1, type)];
  if (dims !== undefined) parts.push(bytesField(2, shapeOf(dims)));
  return bytesField(1, concatFields(parts));
}

/** TypeProto for skl2onnx's ZipMap output: a sequence of maps from labels to floats. */
export function zipMapType(keyType: number): Uint8Array {
  const map = concatFields([varintField(1, keyType), bytesField(2, tensorType(elemType.float))]);
  return bytesField(4, bytesField(1, bytesField(5, map)));
}

/** ValueInfoProto. */
export function valueInfo(name: string, type: Uint8Array): Uint8Array {
  return concatFields([bytesField(1, name), bytesField(2, type)]);
}

/** An attribute: ints, strings or a single int. */
export type Attribute =
  | { name: string; ints: readonly number[] }
  | { name: string; strings: readonly string[] }
  | { name: string; i: number };

function attributeOf(attribute: Attribute): Uint8Array {
  const parts = [bytesField(1, attribute.name)];
  if ('ints' in attribute) {
    parts.push(...attribute.ints.map((value) => varintField(8, value)), varintField(20, 7));
  } else if ('strings' in attribute) {
    parts.push(...attribute.strings.map((value) => bytesField(9, value)), varintField(20, 8));
  } else {
    parts.push(varintField(3, attribute.i), varintField(20, 2));
  }
  return concatFields(parts);
}

/** NodeProto. */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  options: { domain?: string; attributes?: readonly Attribute[] } = {},
): Uint8Array {
  return concatFields([
    ...inputs.map((input) => bytesField(1, input)),
    ...outputs.map((output) => bytesField(2, output)),
    bytesField(4, opType),
    ...(options.attributes ?? []).map((attribute) => bytesField(5, attributeOf(attribute))),
    ...(options.domain === undefined ? [] : [bytesField(7, options.domain)]),
  ]);
}

/** A float TensorProto, its values inline or in an external file. */
export function floatInitializer(
  name: string,
  dims: readonly number[],
  values: readonly number[],
  external?: { location: string },
): Uint8Array {
  const raw = new Uint8Array(Float32Array.from(values).buffer);
  const parts = [
    ...dims.map((dim) => varintField(1, dim)),
    varintField(2, elemType.float),
    bytesField(8, name),
  ];
  if (external === undefined) parts.push(bytesField(9, raw));
  else {
    const entry = (key: string, value: string) =>
      bytesField(13, concatFields([bytesField(1, key), bytesField(2, value)]));
    parts.push(
      entry('location', external.location),
      entry('offset', '0'),
      entry('length', String(raw.length)),
      varintField(14, 1),
    );
  }
  return concatFields(parts);
}

/** A ModelProto around one graph. */
export function model(graph: {
  nodes: readonly Uint8Array[];
  inputs: readonly Uint8Array[];
  outputs: readonly Uint8Array[];
  initializers?: readonly Uint8Array[];
  irVersion?: number;
}): Uint8Array {
  const graphBytes = concatFields([
    ...graph.nodes.map((part) => bytesField(1, part)),
    bytesField(2, 'cairn-test'),
    ...(graph.initializers ?? []).map((part) => bytesField(5, part)),
    ...graph.inputs.map((part) => bytesField(11, part)),
    ...graph.outputs.map((part) => bytesField(12, part)),
  ]);
  const opset = (domain: string, version: number) =>
    bytesField(8, concatFields([bytesField(1, domain), varintField(2, version)]));
  return concatFields([
    varintField(1, graph.irVersion ?? 8),
    bytesField(2, 'cairn-test'),
    bytesField(7, graphBytes),
    opset('', 13),
    opset('ai.onnx.ml', 1),
  ]);
}

/** y = x + [1, 2]: one float input [n, 2], one output. */
export function addModel(): Uint8Array {
  return model({
    nodes: [node('Add', ['x', 'bias'], ['y'])],
    initializers: [floatInitializer('bias', [2], [1, 2])],
    inputs: [valueInfo('x', tensorType(elemType.float, ['n', 2]))],
    outputs: [valueInfo('y', tensorType(elemType.float, ['n', 2]))],
  });
}

/** sum = a + b over two float [n, 1] inputs, and an int64 input passed through as `id`. */
export function multiInputModel(): Uint8Array {
  return model({
    nodes: [node('Add', ['a', 'b'], ['sum']), node('Identity', ['id_in'], ['id'])],
    inputs: [
      valueInfo('a', tensorType(elemType.float, ['n', 1])),
      valueInfo('b', tensorType(elemType.float, ['n', 1])),
      valueInfo('id_in', tensorType(elemType.int64, ['n'])),
    ],
    outputs: [
      valueInfo('sum', tensorType(elemType.float, ['n', 1])),
      valueInfo('id', tensorType(elemType.int64, ['n'])),
    ],
  });
}

/**
 * A classifier shaped like skl2onnx's: probabilities = softmax(x), label = argmax, and a ZipMap turning the
 * probabilities into one map per row under `output_probability`.
 */
export function zipMapClassifier(labels: readonly number[] | readonly string[] = [0, 1]): Uint8Array {
  const strings = typeof labels[0] === 'string';
  const attribute: Attribute = strings
    ? { name: 'classlabels_strings', strings: labels as string[] }
    : { name: 'classlabels_int64s', ints: labels as number[] };
  return model({
    nodes: [
      node('Softmax', ['x'], ['probabilities'], { attributes: [{ name: 'axis', i: 1 }] }),
      node('ArgMax', ['probabilities'], ['output_label'], {
        attributes: [
          { name: 'axis', i: 1 },
          { name: 'keepdims', i: 0 },
        ],
      }),
      node('ZipMap', ['probabilities'], ['output_probability'], {
        domain: 'ai.onnx.ml',
        attributes: [attribute],
      }),
    ],
    inputs: [valueInfo('x', tensorType(elemType.float, ['n', labels.length]))],
    outputs: [
      valueInfo('output_label', tensorType(elemType.int64, ['n'])),
      valueInfo('output_probability', zipMapType(strings ? elemType.string : elemType.int64)),
    ],
  });
}

/** y = x · w with w (2x2, [[1, 2], [3, 4]]) in the external file `location`; answers the model and the file's bytes. */
export function externalDataModel(location: string): { model: Uint8Array; data: Uint8Array } {
  const values = [1, 2, 3, 4];
  return {
    model: model({
      nodes: [node('MatMul', ['x', 'w'], ['y'])],
      initializers: [floatInitializer('w', [2, 2], values, { location })],
      inputs: [valueInfo('x', tensorType(elemType.float, ['n', 2]))],
      outputs: [valueInfo('y', tensorType(elemType.float, ['n', 2]))],
    }),
    data: new Uint8Array(Float32Array.from(values).buffer),
  };
}
