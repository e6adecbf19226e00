import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTestS3Environment, startTestS3Server, type TestS3Server } from '@cairn/store-s3/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCairnClient } from './cairn-client.js';
import { tempDir } from './test-helpers.js';
import type { TransferProgress } from './transfer-progress.js';

/** A local tree of 7 files, 1 + 2 + ... + 7 KiB, in nested folders. */
async function sampleTree(): Promise<{ dir: string; bytes: number }> {
  const dir = await tempDir('cairn-progress-src-');
  let bytes = 0;
  for (let index = 1; index <= 7; index += 1) {
    const folder = join(dir, index % 2 === 0 ? 'even' : 'odd', index > 4 ? 'big' : '');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, `f${index}.bin`), Buffer.alloc(index * 1024, index));
    bytes += index * 1024;
  }
  return { dir, bytes };
}

/** Checks a transfer's reports: fixed totals, never going backwards, ending complete. */
function expectCompleteProgress(reports: TransferProgress[], totals: { bytes: number; files: number }) {
  expect(reports.length).toBeGreaterThan(totals.files);
  expect(reports[0]).toEqual({
    bytesDone: 0,
    bytesTotal: totals.bytes,
    filesDone: 0,
    filesTotal: totals.files,
  });
  for (let index = 1; index < reports.length; index += 1) {
    const [before, after] = [reports[index - 1], reports[index]] as [TransferProgress, TransferProgress];
    expect(after.bytesDone).toBeGreaterThanOrEqual(before.bytesDone);
    expect(after.filesDone).toBeGreaterThanOrEqual(before.filesDone);
    expect(after.bytesTotal).toBe(totals.bytes);
  }
  expect(reports.at(-1)).toEqual({
    bytesDone: totals.bytes,
    bytesTotal: totals.bytes,
    filesDone: totals.files,
    filesTotal: totals.files,
  });
}

describe('artifact transfer progress', () => {
  it('reports bytes and files for logArtifacts, logArtifact and downloadArtifacts', async () => {
    const root = await tempDir();
    const client = createCairnClient({ trackingUri: `file://${join(root, 'mlruns')}` });
    const run = await client.createRun('0');
    const { dir, bytes } = await sampleTree();

    const uploads: TransferProgress[] = [];
    await client.logArtifacts(run.info.run_id, dir, 'tree', {
      onProgress: (progress) => uploads.push(progress),
    });
    expectCompleteProgress(uploads, { bytes, files: 7 });

    const single: TransferProgress[] = [];
    await client.logArtifact(run.info.run_id, join(dir, 'odd', 'big', 'f7.bin'), 'one', {
      onProgress: (progress) => single.push(progress),
    });
    expectCompleteProgress(single, { bytes: 7 * 1024, files: 1 });

    const downloads: TransferProgress[] = [];
    const local = await client.downloadArtifacts({
      runId: run.info.run_id,
      artifactPath: 'tree',
      dstPath: await tempDir(),
      onProgress: (progress) => downloads.push(progress),
    });
    expectCompleteProgress(downloads, { bytes, files: 7 });
    expect(await readFile(join(local, 'even', 'big', 'f6.bin'))).toEqual(Buffer.alloc(6 * 1024, 6));
    await client.close();
  });

  it('counts an empty directory as nothing to do', async () => {
    const root = await tempDir();
    const client = createCairnClient({ trackingUri: `file://${join(root, 'mlruns')}` });
    const run = await client.createRun('0');
    const reports: TransferProgress[] = [];
    await client.logArtifacts(run.info.run_id, await tempDir(), undefined, {
      onProgress: (p) => reports.push(p),
    });
    expect(reports).toEqual([{ bytesDone: 0, bytesTotal: 0, filesDone: 0, filesTotal: 0 }]);
    await client.close();
  });
});

describe('CairnClient with artifacts on S3 (moto server, default resolvers)', () => {
  let server: TestS3Server;
  let restoreEnvironment = () => {};

  // A fresh machine first installs moto into a venv (about half a minute), hence the long hook timeout.
  beforeAll(async () => {
    server = await startTestS3Server();
    await server.createBucket('client-artifacts');
    // The default resolver reads MLflow's variables, exactly as a user's environment would set them.
    restoreEnvironment = setTestS3Environment(server);
  }, 300_000);

  afterAll(async () => {
    restoreEnvironment();
    await server?.stop();
  });

  it('logs a tree to s3:// and mirrors it back, with progress, through runs:/ and s3:// URIs', async () => {
    const root = await tempDir();
    const client = createCairnClient({ trackingUri: `file://${join(root, 'mlruns')}` });
    const experimentId = await client.createExperiment('on-s3', {
      artifactLocation: 's3://client-artifacts/mlflow',
    });
    const run = await client.createRun(experimentId);
    expect(run.info.artifact_uri).toBe(`s3://client-artifacts/mlflow/${run.info.run_id}/artifacts`);
    const { dir, bytes } = await sampleTree();

    const uploads: TransferProgress[] = [];
    await client.logArtifacts(run.info.run_id, dir, 'model', { onProgress: (p) => uploads.push(p) });
    expectCompleteProgress(uploads, { bytes, files: 7 });
    expect(await client.listArtifacts(run.info.run_id, 'model')).toEqual([
      { path: 'model/even', is_dir: true },
      { path: 'model/odd', is_dir: true },
    ]);

    const downloads: TransferProgress[] = [];
    const viaRuns = await client.downloadArtifacts({
      artifactUri: `runs:/${run.info.run_id}/model`,
      dstPath: await tempDir(),
      onProgress: (p) => downloads.push(p),
    });
    expectCompleteProgress(downloads, { bytes, files: 7 });
    expect(await readFile(join(viaRuns, 'odd', 'big', 'f5.bin'))).toEqual(Buffer.alloc(5 * 1024, 5));

    const viaS3 = await client.downloadArtifacts({
      artifactUri: `${run.info.artifact_uri}/model/even/f2.bin`,
      dstPath: await tempDir(),
    });
    expect(await readFile(viaS3)).toEqual(Buffer.alloc(2 * 1024, 2));
    await client.close();
  });
});
