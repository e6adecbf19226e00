import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { invalidParameter } from '@cairn/core';
import type { DataFrame, LoadedModel } from '@cairn/models';
import { parse as parseCsv } from 'csv-parse';
import { toJsonPredictions } from './predictions-json.js';
import { castCsvCell, dataFrameFromRecords, parseScoringJson } from './scoring-request.js';

/** How `predictBatch` reads its input. */
export type BatchContentType = 'json' | 'csv' | 'jsonl';

/** Options of {@link predictBatch}. */
export interface PredictBatchOptions {
  /** The model to predict with (from `loadModel`). */
  readonly model: LoadedModel;
  /** A file path, or a stream (stdin); read in chunks for `csv` and `jsonl`. */
  readonly input: string | Readable;
  /** A file path, or a stream (stdout); `{"predictions": [...]}` is written to it as chunks are predicted. */
  readonly output: string | Writable;
  /**
   * `csv`: a header row, then rows (as `DataFrame.to_csv(index=False)` writes). `jsonl`: one JSON record per
   * line. `json`: one document in the scoring server's format (`{"dataframe_split": ...}`), as MLflow's
   * `mlflow models predict -t json` reads it — not chunked.
   */
  readonly contentType: BatchContentType;
  /** Rows per `predict` call for `csv` and `jsonl` (default 10 000); memory stays bounded by about this. */
  readonly chunkRows?: number;
}

/** What a batch did. */
export interface PredictBatchResult {
  readonly rows: number;
  readonly chunks: number;
}

const defaultChunkRows = 10_000;

/**
 * Predicts a file (or stream) with a model and writes MLflow's `{"predictions": ...}`. CSV and JSON-lines
 * inputs are streamed `chunkRows` rows at a time, and each chunk's predictions (records, or the rows of a
 * tensor) are appended to the output as they come, so a file larger than memory goes through.
 */
export async function predictBatch(options: PredictBatchOptions): Promise<PredictBatchResult> {
  const chunkRows = options.chunkRows ?? defaultChunkRows;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) {
    throw invalidParameter(`Invalid chunkRows ${chunkRows}: must be a positive integer`, {
      field: 'chunkRows',
    });
  }
  // A file is written beside its final name and renamed when complete: a failure leaves no half-written file.
  const outputPath = typeof options.output === 'string' ? options.output : undefined;
  const partialPath = outputPath === undefined ? undefined : `${outputPath}.partial-${process.pid}`;
  const output = partialPath === undefined ? (options.output as Writable) : createWriteStream(partialPath);
  let succeeded = false;
  try {
    const result = await predictInto(options, chunkRows, output);
    succeeded = true;
    return result;
  } finally {
    if (partialPath !== undefined && outputPath !== undefined) {
      output.end();
      await once(output, 'close');
      if (succeeded) await rename(partialPath, outputPath);
      else await rm(partialPath, { force: true });
    }
  }
}

async function predictInto(
  options: PredictBatchOptions,
  chunkRows: number,
  output: Writable,
): Promise<PredictBatchResult> {
  if (options.contentType === 'json') {
    const text =
      typeof options.input === 'string'
        ? await readFile(options.input, 'utf8')
        : await readAll(options.input);
    let decoded: unknown;
    try {
      decoded = JSON.parse(text);
    } catch (error) {
      throw invalidParameter(
        `Invalid input. Ensure that input is a valid JSON formatted string. Error: '${(error as Error).message}'`,
        {
          field: 'input',
        },
      );
    }
    const request = parseScoringJson(decoded);
    const predictions = toJsonPredictions(await options.model.predict(request.input, request.params));
    await write(output, JSON.stringify({ predictions }));
    return { rows: rowCount(request.input), chunks: 1 };
  }
  if (options.contentType !== 'csv' && options.contentType !== 'jsonl') {
    throw invalidParameter(`Unknown content type '${options.contentType}': use json, csv or jsonl`, {
      field: 'contentType',
    });
  }
  const input = typeof options.input === 'string' ? createReadStream(options.input) : options.input;
  const frames =
    options.contentType === 'csv' ? csvFrames(input, chunkRows) : jsonLinesFrames(input, chunkRows);
  return await writeChunkedPredictions(options.model, frames, output);
}

/** Writes `{"predictions": [` + each chunk's predicted rows + `]}`; one chunk that is not a list is written whole. */
async function writeChunkedPredictions(
  model: LoadedModel,
  frames: AsyncIterable<DataFrame>,
  output: Writable,
): Promise<PredictBatchResult> {
  let rows = 0;
  let chunks = 0;
  let started = false;
  const writeItems = async (predictions: unknown) => {
    if (!Array.isArray(predictions)) {
      throw invalidParameter(
        'The model answered a chunk with something other than a list (records or tensor rows), which cannot be joined with the other chunks; predict with a larger chunkRows or -t json',
        { field: 'chunkRows' },
      );
    }
    for (const item of predictions) {
      await write(output, (started ? ', ' : '{"predictions": [') + JSON.stringify(item));
      started = true;
    }
  };
  // One chunk behind, so that a lone chunk whose answer is not a list can still be written whole.
  let previous: unknown;
  for await (const frame of frames) {
    const predictions = toJsonPredictions(await model.predict(frame));
    if (chunks > 0) await writeItems(previous);
    previous = predictions;
    rows += frame.rows.length;
    chunks += 1;
  }
  if (chunks === 1 && !Array.isArray(previous)) {
    await write(output, JSON.stringify({ predictions: previous }));
  } else {
    if (chunks > 0) await writeItems(previous);
    await write(output, started ? ']}' : '{"predictions": []}');
  }
  return { rows, chunks };
}

async function* csvFrames(input: Readable, chunkRows: number): AsyncGenerator<DataFrame> {
  const parser = input.pipe(parseCsv({ bom: true, skip_empty_lines: true }));
  input.on('error', (error) => parser.destroy(error));
  let columns: string[] | undefined;
  let rows: unknown[][] = [];
  for await (const record of parser as AsyncIterable<string[]>) {
    if (columns === undefined) {
      columns = record;
      continue;
    }
    rows.push(record.map(castCsvCell));
    if (rows.length >= chunkRows) {
      yield { kind: 'dataframe', columns, rows };
      rows = [];
    }
  }
  if (columns !== undefined && rows.length > 0) yield { kind: 'dataframe', columns, rows };
}

async function* jsonLinesFrames(input: Readable, chunkRows: number): AsyncGenerator<DataFrame> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let records: unknown[] = [];
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch (error) {
      throw invalidParameter(`Invalid JSON on line ${lineNumber} of the input: ${(error as Error).message}`, {
        field: 'input',
        line: lineNumber,
      });
    }
    if (records.length >= chunkRows) {
      yield dataFrameFromRecords(records);
      records = [];
    }
  }
  if (records.length > 0) yield dataFrameFromRecords(records);
}

async function write(output: Writable, text: string): Promise<void> {
  if (!output.write(text)) await once(output, 'drain');
}

async function readAll(input: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of input) parts.push(typeof part === 'string' ? Buffer.from(part) : part);
  return Buffer.concat(parts).toString('utf8');
}

function rowCount(input: unknown): number {
  if (typeof input === 'object' && input !== null && (input as DataFrame).kind === 'dataframe') {
    return (input as DataFrame).rows.length;
  }
  return Array.isArray(input) ? input.length : 1;
}
