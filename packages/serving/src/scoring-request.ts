import { CairnError } from '@cairn/core';
import type { DataFrame, PredictParams } from '@cairn/models';
import { parse as parseCsvSync } from 'csv-parse/sync';

/** The JSON keys MLflow's scoring protocol accepts, exactly one per request. */
export const inputFormats = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;
/** One of {@link inputFormats}. */
export type InputFormat = (typeof inputFormats)[number];

/** A request body turned into what `LoadedModel.predict` takes. */
export interface ScoringRequest {
  /** A tagged DataFrame for the `dataframe_*` formats and CSV; the plain JSON value for `instances`/`inputs`. */
  readonly input: unknown;
  readonly params: PredictParams | undefined;
  /** The format the request used (`csv` for a CSV body). */
  readonly format: InputFormat | 'csv';
}

/** A request the scoring server refuses before the model sees it: a status and a text answer (MLflow's 415s). */
export class UnsupportedContentTypeError extends Error {
  override readonly name = 'UnsupportedContentTypeError';
  readonly status = 415;
}

const requiredInputFormat = `The input must be a JSON dictionary with exactly one of the input fields {${inputFormats
  .map((format) => `'${format}'`)
  .join(', ')}}`;

/** A client error in MLflow's wording: `BAD_REQUEST` (400), as MLflow's `MlflowInvalidInputException`. */
const badRequest = (message: string, cause?: unknown) =>
  new CairnError('BAD_REQUEST', message, cause === undefined ? {} : { cause });
const invalidInput = (message: string) => badRequest(`Invalid input. ${message}`);

/** The media type (lower case) of a Content-Type header, and its parameters. */
export interface ContentType {
  readonly mediaType: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/** Splits a Content-Type header (`application/json; charset=UTF-8`) into its media type and parameters. */
export function parseContentType(header: string | undefined): ContentType {
  const [mediaType = '', ...pairs] = (header ?? '').split(';').map((part) => part.trim());
  const parameters: Record<string, string> = {};
  for (const pair of pairs) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = (equals === -1 ? pair : pair.slice(0, equals)).trim().toLowerCase();
    const value =
      equals === -1
        ? ''
        : pair
            .slice(equals + 1)
            .trim()
            .replace(/^"(.*)"$/u, '$1');
    parameters[key] = value;
  }
  return { mediaType: mediaType.toLowerCase(), parameters };
}

/**
 * Checks a request's Content-Type as MLflow's scoring server does: UTF-8 only, no parameter but `charset`,
 * `application/json` or `text/csv`. Throws {@link UnsupportedContentTypeError} (415) otherwise.
 */
export function checkContentType(header: string | undefined): 'json' | 'csv' {
  const { mediaType, parameters } = parseContentType(header);
  const charset = (parameters.charset ?? 'utf-8').toLowerCase();
  if (charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedContentTypeError('The scoring server only supports UTF-8');
  }
  const unexpected = Object.keys(parameters).filter((key) => key !== 'charset');
  if (unexpected.length > 0) {
    throw new UnsupportedContentTypeError(`Unrecognized content type parameters: ${unexpected.join(', ')}.`);
  }
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'text/csv') return 'csv';
  throw new UnsupportedContentTypeError(
    `This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got '${header ?? ''}'.`,
  );
}

/** Parses a scoring request body of the given kind (see {@link checkContentType}). */
export function parseScoringRequest(body: string, kind: 'json' | 'csv'): ScoringRequest {
  if (kind === 'csv') return { input: parseCsvDataFrame(body), params: undefined, format: 'csv' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(body);
  } catch (error) {
    throw invalidInput(
      `Ensure that input is a valid JSON formatted string. Error: '${(error as Error).message}'`,
    );
  }
  return parseScoringJson(decoded);
}

/** Reads an already decoded JSON request (`{"dataframe_split": ..., "params": ...}`). */
export function parseScoringJson(decoded: unknown): ScoringRequest {
  if (Array.isArray(decoded)) throw invalidInput(`${requiredInputFormat}. Received a list.`);
  if (decoded === null || typeof decoded !== 'object') {
    throw invalidInput(`${requiredInputFormat}. Received unexpected input type '${jsonTypeName(decoded)}'.`);
  }
  const record = decoded as Record<string, unknown>;
  const keys = Object.keys(record);
  const formats = inputFormats.filter((format) => Object.hasOwn(record, format));
  const [format] = formats;
  if (formats.length !== 1 || format === undefined) {
    throw badRequest(
      `${requiredInputFormat}. Received dictionary with input fields: [${keys.map((key) => `'${key}'`).join(', ')}].`,
    );
  }
  const params = readParams(record.params);
  const value = record[format];
  switch (format) {
    case 'dataframe_split':
      return { input: dataFrameFromSplit(value), params, format };
    case 'dataframe_records':
      return { input: dataFrameFromRecords(value), params, format };
    case 'instances':
      return { input: instancesInput(value), params, format };
    case 'inputs':
      return { input: value, params, format };
  }
}

function readParams(value: unknown): PredictParams | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidInput(
      `'params' must be a JSON dictionary of parameter names to values. Got ${jsonTypeName(value)}.`,
    );
  }
  return value as PredictParams;
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'dictionary';
  return typeof value;
}

/** pandas names the columns of a frame given none 0, 1, 2... */
const positionalColumns = (width: number) => Array.from({ length: width }, (_, index) => String(index));

/** `dataframe_split`: `{columns?, data, index?}`, pandas' split orient. */
export function dataFrameFromSplit(value: unknown): DataFrame {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidInput(`Dataframe split format must be a dictionary. Got ${jsonTypeName(value)}.`);
  }
  const split = value as Record<string, unknown>;
  const keys = Object.keys(split);
  const extra = keys.filter((key) => !['columns', 'data', 'index'].includes(key));
  if (!Object.hasOwn(split, 'data') || extra.length > 0) {
    throw invalidInput(
      `Dataframe split format must have 'data' field and optionally 'columns' and 'index' fields. Got {${keys
        .map((key) => `'${key}'`)
        .join(', ')}}.`,
    );
  }
  const data = split.data;
  if (!Array.isArray(data)) {
    throw invalidInput(
      `Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: 'data' must be a list of rows.`,
    );
  }
  // A flat list is one column, as pandas reads it.
  const rows = data.map((row) => (Array.isArray(row) ? row : [row]));
  const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
  const columns =
    split.columns === undefined || split.columns === null
      ? positionalColumns(width)
      : Array.isArray(split.columns)
        ? split.columns.map(String)
        : undefined;
  if (columns === undefined) {
    throw invalidInput(
      `Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: 'columns' must be a list.`,
    );
  }
  const ragged = rows.findIndex((row) => row.length !== columns.length);
  if (ragged !== -1 && rows.length > 0) {
    throw invalidInput(
      `Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: '${columns.length} columns passed, passed data had ${rows[ragged]?.length} columns in row ${ragged}'`,
    );
  }
  if (Array.isArray(split.index) && split.index.length !== rows.length) {
    throw invalidInput(
      `Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: 'Shape of passed values is (${rows.length}, ${columns.length}), indices imply (${split.index.length}, ${columns.length})'`,
    );
  }
  return { kind: 'dataframe', columns, rows };
}

/** `dataframe_records`: a list of `{column: value}` records (or of rows), pandas' records orient. */
export function dataFrameFromRecords(value: unknown): DataFrame {
  if (!Array.isArray(value)) {
    throw invalidInput(`Dataframe records format must be a list of records. Got ${jsonTypeName(value)}.`);
  }
  if (value.every((record) => Array.isArray(record))) {
    return dataFrameFromSplit({ data: value });
  }
  const columns: string[] = [];
  const seen = new Map<string, number>();
  for (const [position, record] of value.entries()) {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw invalidInput(
        `Provided dataframe_records field is not a valid dataframe representation in 'records' format. Error: 'record ${position} is ${jsonTypeName(record)}, not a dictionary'`,
      );
    }
    for (const key of Object.keys(record)) {
      if (!seen.has(key)) {
        seen.set(key, columns.length);
        columns.push(key);
      }
    }
  }
  // A column missing from a record is NaN in pandas; null here.
  const rows = value.map((record: Record<string, unknown>) =>
    columns.map((column) => (Object.hasOwn(record, column) ? record[column] : null)),
  );
  return { kind: 'dataframe', columns, rows };
}

/**
 * `instances`: TF serving's row format. A list of records is a table (MLflow turns it into a dict of
 * columns, which its pyfunc reads as a DataFrame); anything else (nested lists, scalars) goes as it is.
 */
function instancesInput(value: unknown): unknown {
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
    const frame = dataFrameFromRecords(value);
    return frame;
  }
  return value;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Reads a CSV cell as pandas' `read_csv` would: empty is missing, numbers are numbers, the rest strings. */
export function castCsvCell(cell: string): unknown {
  if (cell === '') return null;
  const trimmed = cell.trim();
  if (trimmed !== '' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/u.test(trimmed)) return Number(trimmed);
  if (trimmed === 'True' || trimmed === 'true' || trimmed === 'TRUE') return true;
  if (trimmed === 'False' || trimmed === 'false' || trimmed === 'FALSE') return false;
  if (trimmed === 'NaN' || trimmed === 'nan') return null;
  return cell;
}

/** A CSV body with a header row (as `DataFrame.to_csv(index=False)` writes it) as a DataFrame. */
export function parseCsvDataFrame(text: string): DataFrame {
  let records: string[][];
  try {
    records = parseCsvSync(text, { bom: true, skip_empty_lines: true, relax_column_count: false });
  } catch (error) {
    throw badRequest(
      `Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the \`pandas.DataFrame.to_csv()\` method. Error: '${(error as Error).message}'`,
      error,
    );
  }
  const [header, ...body] = records;
  if (header === undefined) {
    throw badRequest(
      `Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the \`pandas.DataFrame.to_csv()\` method. Error: 'No columns to parse from file'`,
    );
  }
  return { kind: 'dataframe', columns: header, rows: body.map((row) => row.map(castCsvCell)) };
}
