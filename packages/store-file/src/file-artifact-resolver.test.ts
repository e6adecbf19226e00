import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileUri } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { fileArtifactResolver } from './file-artifact-resolver.js';

describe('fileArtifactResolver', () => {
  it('opens file: URIs and absolute paths as local stores rooted there', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cairn-resolver-'));
    const fromUri = fileArtifactResolver(pathToFileUri(join(root, 'run', 'artifacts')));
    const fromPath = fileArtifactResolver(join(root, 'run', 'artifacts'));
    expect(fromUri?.rootUri).toBe(pathToFileUri(join(root, 'run', 'artifacts')));
    expect(fromPath?.rootUri).toBe(fromUri?.rootUri);
    await fromUri?.put('a/b.txt', 'hello');
    expect(await fromPath?.stat('a/b.txt')).toEqual({ path: 'a/b.txt', is_dir: false, file_size: 5 });
  });

  it('leaves other schemes and relative paths to other resolvers', () => {
    expect(fileArtifactResolver('s3://bucket/prefix')).toBeUndefined();
    expect(fileArtifactResolver('mlflow-artifacts:/0/run/artifacts')).toBeUndefined();
    expect(fileArtifactResolver('relative/artifacts')).toBeUndefined();
  });
});
