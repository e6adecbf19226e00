import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DataFrame, LoadedModel } from '@cairn/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictBatch } from './predict-batch.js';
import { createTestModel } from './test-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-predict-batch-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('predictBatch', () => {
  it('predicts a JSON document in the scoring format, params included, as `mlflow models predict -t json`', async () => {
    const input = join(dir, 'input.json');
    const output = join(dir, 'output.json');
    await writeFile(
      input,
      JSON.stringify({ dataframe_split: { columns: ['x'], data: [[1], [2]] }, params: { scale: 3 } }),
    );
    const result = await predictBatch({ model: createTestModel(), input, output, contentType: 'json' });
    expect(result).toEqual({ rows: 2, chunks: 1 });
    expect(JSON.parse(await readFile(output, 'utf8'))).toEqual({ predictions: [{ y: 6 }, { y: 12 }] });
  });

  it('predicts CSV and JSON lines in chunks and joins the chunks into one predictions list', async () => {
    const csv = join(dir, 'rows.csv');
    await writeFile(
      csv,
      `x,label\n${Array.from({ length: 25 }, (_, index) => `${index},"row ${index}"`).join('\n')}\n`,
    );
    const output = join(dir, 'rows.out.json');
    const result = await predictBatch({
      model: createTestModel(),
      input: csv,
      output,
      contentType: 'csv',
      chunkRows: 10,
    });
    expect(result).toEqual({ rows: 25, chunks: 3 });
    const predictions = (JSON.parse(await readFile(output, 'utf8')) as { predictions: { y: number }[] })
      .predictions;
    expect(predictions.map((row) => row.y)).toEqual(Array.from({ length: 25 }, (_, index) => index * 2));

    const jsonl = join(dir, 'rows.jsonl');
    await writeFile(
      jsonl,
      `${[{ x: 1 }, { x: 2 }, { x: 3 }].map((row) => JSON.stringify(row)).join('\n')}\n`,
    );
    const jsonlOut = join(dir, 'rows.jsonl.out.json');
    expect(
      await predictBatch({
        model: createTestModel(),
        input: jsonl,
        output: jsonlOut,
        contentType: 'jsonl',
        chunkRows: 2,
      }),
    ).toEqual({
      rows: 3,
      chunks: 2,
    });
    expect(JSON.parse(await readFile(jsonlOut, 'utf8'))).toEqual({
      predictions: [{ y: 2 }, { y: 4 }, { y: 6 }],
    });
  });

  it('writes an empty predictions list for a CSV with a header only, and reads streams', async () => {
    const chunks: Buffer[] = [];
    const { PassThrough } = await import('node:stream');
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    const source = new PassThrough();
    source.end('x\n');
    await predictBatch({ model: createTestModel(), input: source, output: sink, contentType: 'csv' });
    expect(Buffer.concat(chunks).toString()).toBe('{"predictions": []}');
  });

  it('leaves no output file when the model fails half-way, and a bad chunkRows or JSON line names the field', async () => {
    const csv = join(dir, 'boom.csv');
    await writeFile(csv, 'x\n1\n2\nboom\n');
    const output = join(dir, 'boom.out.json');
    await expect(
      predictBatch({ model: createTestModel(), input: csv, output, contentType: 'csv', chunkRows: 2 }),
    ).rejects.toThrow('the model blew up');
    expect((await readdir(dir)).filter((name) => name.startsWith('boom.out'))).toEqual([]);
    await expect(
      predictBatch({ model: createTestModel(), input: csv, output, contentType: 'csv', chunkRows: 0 }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      details: { field: 'chunkRows' },
    });
    const jsonl = join(dir, 'bad.jsonl');
    await writeFile(jsonl, '{"x": 1}\n{"x": \n');
    await expect(
      predictBatch({ model: createTestModel(), input: jsonl, output, contentType: 'jsonl' }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      details: { field: 'input', line: 2 },
    });
  });

  it('streams a CSV far larger than the memory it uses: chunks stay at chunkRows and the heap does not grow with the file', async () => {
    const rows = 600_000;
    const input = join(dir, 'large.csv');
    const writer = createWriteStream(input);
    writer.write('x,a,b,c\n');
    for (let index = 0; index < rows; index += 1) {
      if (!writer.write(`${index % 1000},${index * 0.5},text-${index % 97},${index}\n`))
        await once(writer, 'drain');
    }
    writer.end();
    await once(writer, 'close');
    const fileBytes = (await stat(input)).size;
    expect(fileBytes).toBeGreaterThan(14 * 1024 * 1024);

    // A full collection before each reading, so the heap measured is what is live, not garbage not yet swept.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peakHeapGrowth = 0;
    let largestChunk = 0;
    let calls = 0;
    const inner = createTestModel();
    const model: LoadedModel = {
      ...inner,
      uri: inner.uri,
      mlmodel: inner.mlmodel,
      flavor: inner.flavor,
      async predict(frame) {
        largestChunk = Math.max(largestChunk, (frame as DataFrame).rows.length);
        calls += 1;
        if (calls % 25 === 0) {
          gc();
          peakHeapGrowth = Math.max(peakHeapGrowth, process.memoryUsage().heapUsed - baseline);
        }
        return inner.predict(frame);
      },
      close: () => inner.close(),
    };
    const output = join(dir, 'large.out.json');
    const result = await predictBatch({ model, input, output, contentType: 'csv', chunkRows: 5000 });
    expect(result.rows).toBe(rows);
    expect(largestChunk).toBe(5000);
    // Holding the file's rows at once would take several times the file's 15 MB in JS arrays.
    expect(peakHeapGrowth).toBeLessThan(fileBytes / 2);

    // Read the answer back as a stream too: the first and last predictions, and how many there are.
    let count = 0;
    let head = '';
    let tail = '';
    for await (const chunk of createReadStream(output, { encoding: 'utf8' })) {
      if (head === '') head = (chunk as string).slice(0, 30);
      count += ((chunk as string).match(/\{/gu) ?? []).length;
      tail = (tail + (chunk as string)).slice(-40);
    }
    expect(head).toBe('{"predictions": [{"y":0}, {"y"');
    // One `{` per prediction, and the document's own.
    expect(count).toBe(rows + 1);
    expect(tail.endsWith(`{"y":${(999 * 2).toString()}}]}`)).toBe(true);
  }, 300_000);
});
