import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ProgressStream, transferProgressBar } from './transfer-progress-bar.js';

/** A stream that claims to be an 100-column terminal and keeps what is drawn on it. */
function fakeTerminal(isTTY: boolean): { stream: ProgressStream; drawn: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100 });
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stream, drawn: () => text };
}

const mebibyte = 1024 * 1024;

describe('transfer progress bar', () => {
  it('draws bytes, rate, ETA and files on a terminal', async () => {
    const { stream, drawn } = fakeTerminal(true);
    const bar = transferProgressBar({ json: false }, 'Uploading', stream);
    expect(bar.onProgress).toBeDefined();
    bar.onProgress?.({ bytesDone: 0, bytesTotal: 30 * mebibyte, filesDone: 0, filesTotal: 3 });
    bar.onProgress?.({ bytesDone: 10 * mebibyte, bytesTotal: 30 * mebibyte, filesDone: 1, filesTotal: 3 });
    bar.onProgress?.({ bytesDone: 30 * mebibyte, bytesTotal: 30 * mebibyte, filesDone: 3, filesTotal: 3 });
    bar.stop();
    bar.stop();
    await new Promise((resolve) => setImmediate(resolve));
    const text = drawn();
    expect(text).toContain('Uploading');
    expect(text).toContain('100%');
    expect(text).toContain('30.0 MiB / 30.0 MiB');
    expect(text).toMatch(/[\d.]+ (B|KiB|MiB|GiB)\/s/u);
    expect(text).toContain('ETA');
    expect(text).toContain('3/3 files');
  });

  it('shows a full bar for an empty transfer instead of dividing by zero', async () => {
    const { stream, drawn } = fakeTerminal(true);
    const bar = transferProgressBar({ json: false }, 'Downloading', stream);
    bar.onProgress?.({ bytesDone: 0, bytesTotal: 0, filesDone: 0, filesTotal: 0 });
    bar.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(drawn()).toContain('100%');
    expect(drawn()).not.toContain('NaN');
  });

  it('stays silent when stderr is not a terminal or the output is JSON', async () => {
    for (const [json, isTTY] of [
      [false, false],
      [true, true],
    ] as const) {
      const { stream, drawn } = fakeTerminal(isTTY);
      const bar = transferProgressBar({ json }, 'Uploading', stream);
      expect(bar.onProgress).toBeUndefined();
      bar.stop();
      await new Promise((resolve) => setImmediate(resolve));
      expect(drawn()).toBe('');
    }
  });
});
