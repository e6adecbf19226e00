/**
 * Protocol buffers' wire format, as far as reading and re-writing an ONNX model needs: split a message into
 * its fields (keeping each field's raw bytes, so a message is rewritten by splicing fields without knowing
 * them all) and encode the few fields Cairn writes. onnx.proto is stable and Cairn touches a handful of its
 * fields, which does not justify a schema compiler and a runtime dependency.
 */

/** One field of a message as it sits on the wire. */
export interface WireField {
  readonly number: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  readonly wireType: 0 | 1 | 2 | 5;
  /** A varint's value (as bigint: ONNX's dims and int64 attributes exceed 2^53). */
  readonly varint?: bigint;
  /** A length-delimited field's payload (a view into the message's bytes). */
  readonly bytes?: Uint8Array;
  /** The whole field, key included, as it was read (re-emitted unchanged when a message is rewritten). */
  readonly raw: Uint8Array;
}

/** Thrown when bytes are not a protocol buffers message; callers turn it into an error naming their file. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

function readVarint(bytes: Uint8Array, start: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let at = start; at < bytes.length && shift < 70n; at++) {
    const byte = bytes[at] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: at + 1 };
    shift += 7n;
  }
  throw new WireFormatError(`a varint at byte ${start} is truncated or longer than 10 bytes`);
}

/** Splits a message into its fields, in order; throws WireFormatError when the bytes are not one. */
export function readFields(bytes: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const key = readVarint(bytes, at);
    at = key.next;
    const number = Number(key.value >> 3n);
    const wireType = Number(key.value & 7n);
    if (number === 0) throw new WireFormatError(`field number 0 at byte ${start}`);
    switch (wireType) {
      case 0: {
        const value = readVarint(bytes, at);
        at = value.next;
        fields.push({ number, wireType, varint: value.value, raw: bytes.subarray(start, at) });
        break;
      }
      case 1:
      case 5: {
        at += wireType === 1 ? 8 : 4;
        if (at > bytes.length) throw new WireFormatError(`a fixed-size field at byte ${start} is truncated`);
        fields.push({ number, wireType, raw: bytes.subarray(start, at) });
        break;
      }
      case 2: {
        const length = readVarint(bytes, at);
        const end = length.next + Number(length.value);
        if (length.value > BigInt(bytes.length) || end > bytes.length) {
          throw new WireFormatError(`a length-delimited field at byte ${start} runs past the end`);
        }
        fields.push({
          number,
          wireType,
          bytes: bytes.subarray(length.next, end),
          raw: bytes.subarray(start, end),
        });
        at = end;
        break;
      }
      default:
        throw new WireFormatError(`unsupported wire type ${wireType} at byte ${start}`);
    }
  }
  return fields;
}

/** A length-delimited field's payload as UTF-8 text. */
export function fieldText(field: WireField): string {
  return new TextDecoder().decode(field.bytes ?? new Uint8Array());
}

/** The varints of a repeated integer field, whether written packed (one length-delimited field) or not. */
export function fieldVarints(fields: readonly WireField[], number: number): bigint[] {
  const values: bigint[] = [];
  for (const field of fields) {
    if (field.number !== number) continue;
    if (field.varint !== undefined) values.push(field.varint);
    else if (field.bytes !== undefined) {
      let at = 0;
      while (at < field.bytes.length) {
        const value = readVarint(field.bytes, at);
        values.push(value.value);
        at = value.next;
      }
    }
  }
  return values;
}

function encodeVarint(value: bigint): number[] {
  const out: number[] = [];
  let rest = BigInt.asUintN(64, value);
  do {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest === 0n ? byte : byte | 0x80);
  } while (rest !== 0n);
  return out;
}

/** Encodes a varint field. */
export function varintField(number: number, value: bigint | number): Uint8Array {
  return Uint8Array.from([...encodeVarint(BigInt(number << 3)), ...encodeVarint(BigInt(value))]);
}

/** Encodes a length-delimited field (a string, bytes or a nested message). */
export function bytesField(number: number, payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const head = [...encodeVarint(BigInt((number << 3) | 2)), ...encodeVarint(BigInt(body.length))];
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** Concatenates encoded fields into one message. */
export function concatFields(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
