// MLflow's server writes request values into its messages, and some tags, with Python's json.dumps. A JS
// value alone cannot say how Python would print it (`9.0` and `9` are one JS number), so values are held in
// Python's own terms: JSON text is read with each number's spelling kept, JS values are mapped by their kind.

/** A JSON value as Python's json module would hold it; `type` is the Python type's name. */
export type PythonValue =
  | { type: 'int'; text: string }
  | { type: 'float'; value: number }
  | { type: 'str'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'NoneType' }
  | { type: 'list'; items: PythonValue[] }
  | { type: 'dict'; entries: Map<string, PythonValue> };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JS value in Python's terms: an integral number is an `int`, any other number a `float`. */
export function pythonValueOf(value: unknown): PythonValue {
  if (value === null || value === undefined) return { type: 'NoneType' };
  if (typeof value === 'string') return { type: 'str', value };
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? { type: 'int', text: String(value) } : { type: 'float', value };
  }
  if (typeof value === 'bigint') return { type: 'int', text: value.toString() };
  if (Array.isArray(value)) return { type: 'list', items: value.map(pythonValueOf) };
  if (isPlainObject(value)) {
    return {
      type: 'dict',
      entries: new Map(Object.entries(value).map(([key, item]) => [key, pythonValueOf(item)])),
    };
  }
  return { type: 'str', value: String(value) };
}

/**
 * Reads JSON text as Python's json.loads would: a number written with a fraction or exponent is a `float`,
 * any other an `int` (kept as written, so big ones stay exact). Undefined for text that is not JSON.
 */
export function parsePythonJson(text: string): PythonValue | undefined {
  let position = 0;
  const fail = (): never => {
    throw new SyntaxError(`Unexpected JSON at position ${position}`);
  };
  const skipSpace = () => {
    while (position < text.length && ' \t\n\r'.includes(text.charAt(position))) position += 1;
  };
  const readLiteral = (word: string) => {
    if (text.startsWith(word, position)) {
      position += word.length;
      return true;
    }
    return false;
  };
  const readString = (): string => {
    const start = position;
    if (text.charAt(position) !== '"') fail();
    position += 1;
    while (position < text.length && text.charAt(position) !== '"') {
      position += text.charAt(position) === '\\' ? 2 : 1;
    }
    if (text.charAt(position) !== '"') fail();
    position += 1;
    // JSON.parse checks the escapes and refuses raw control characters.
    return JSON.parse(text.slice(start, position)) as string;
  };
  const readValue = (): PythonValue => {
    skipSpace();
    const char = text.charAt(position);
    if (char === '"') return { type: 'str', value: readString() };
    if (char === '{') {
      position += 1;
      const entries = new Map<string, PythonValue>();
      skipSpace();
      if (text.charAt(position) === '}') {
        position += 1;
        return { type: 'dict', entries };
      }
      for (;;) {
        skipSpace();
        const key = readString();
        skipSpace();
        if (text.charAt(position) !== ':') fail();
        position += 1;
        entries.set(key, readValue());
        skipSpace();
        const next = text.charAt(position);
        position += 1;
        if (next === '}') return { type: 'dict', entries };
        if (next !== ',') fail();
      }
    }
    if (char === '[') {
      position += 1;
      const items: PythonValue[] = [];
      skipSpace();
      if (text.charAt(position) === ']') {
        position += 1;
        return { type: 'list', items };
      }
      for (;;) {
        items.push(readValue());
        skipSpace();
        const next = text.charAt(position);
        position += 1;
        if (next === ']') return { type: 'list', items };
        if (next !== ',') fail();
      }
    }
    if (readLiteral('true')) return { type: 'bool', value: true };
    if (readLiteral('false')) return { type: 'bool', value: false };
    if (readLiteral('null')) return { type: 'NoneType' };
    const number = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/u.exec(text.slice(position));
    if (!number) return fail();
    position += number[0].length;
    return number[1] === undefined && number[2] === undefined
      ? { type: 'int', text: number[0] }
      : { type: 'float', value: Number(number[0]) };
  };
  try {
    const value = readValue();
    skipSpace();
    return position === text.length ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Python's repr of a float: shortest round-trip digits, `.0` on whole numbers, exponent below 1e-4 and from 1e16. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const exponentSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits.charAt(0)}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const point = exponent + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A JSON string as Python writes it by default (ensure_ascii): every character outside printable ASCII escaped. */
function pythonString(value: string): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/gu, (char) =>
    Array.from(
      { length: char.length },
      (_, index) => `\\u${char.charCodeAt(index).toString(16).padStart(4, '0')}`,
    ).join(''),
  );
}

/** How json.dumps is called: `compact` is `separators=(",", ":")`, `sortKeys` is `sort_keys=True`. */
export interface PythonJsonStyle {
  compact?: boolean;
  sortKeys?: boolean;
}

/** The text Python's `json.dumps(value, ...)` writes for a value (default: `json.dumps(value)`). */
export function pythonJsonDumps(value: PythonValue, style: PythonJsonStyle = {}): string {
  const itemSeparator = style.compact ? ',' : ', ';
  const keySeparator = style.compact ? ':' : ': ';
  const dump = (item: PythonValue): string => {
    switch (item.type) {
      case 'int':
        return item.text;
      case 'float':
        return pythonFloatRepr(item.value);
      case 'str':
        return pythonString(item.value);
      case 'bool':
        return item.value ? 'true' : 'false';
      case 'NoneType':
        return 'null';
      case 'list':
        return `[${item.items.map(dump).join(itemSeparator)}]`;
      case 'dict': {
        const keys = [...item.entries.keys()];
        if (style.sortKeys) keys.sort();
        const body = keys.map(
          (key) => `${pythonString(key)}${keySeparator}${dump(item.entries.get(key) as PythonValue)}`,
        );
        return `{${body.join(itemSeparator)}}`;
      }
    }
  };
  return dump(value);
}
