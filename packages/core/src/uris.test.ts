import { describe, expect, it } from 'vitest';
import {
  joinArtifactUri,
  parseArtifactUri,
  parseRunsUri,
  parseTrackingUri,
  pathToFileUri,
  resolveArtifactLocation,
} from './uris.js';

describe('parseTrackingUri', () => {
  it.each([
    ['./mlruns', { kind: 'file', path: './mlruns' }],
    ['/abs/mlruns', { kind: 'file', path: '/abs/mlruns' }],
    ['file:///abs/ml%20runs', { kind: 'file', path: '/abs/ml runs' }],
    ['file:./mlruns', { kind: 'file', path: './mlruns' }],
    ['file:/abs', { kind: 'file', path: '/abs' }],
    ['C:\\mlruns', { kind: 'file', path: 'C:\\mlruns' }],
    ['sqlite:///mlflow.db', { kind: 'sqlite', path: 'mlflow.db' }],
    ['sqlite:////tmp/abs.db', { kind: 'sqlite', path: '/tmp/abs.db' }],
    ['sqlite://', { kind: 'sqlite', path: ':memory:' }],
    ['postgresql://u:p@localhost:5432/db', { kind: 'postgresql' }],
    ['postgresql+psycopg2://u@h/db', { kind: 'postgresql' }],
    ['mysql+pymysql://u@h/db', { kind: 'mysql' }],
    ['http://127.0.0.1:5000/', { kind: 'http', url: 'http://127.0.0.1:5000' }],
    ['https://mlflow.example.com', { kind: 'http', url: 'https://mlflow.example.com' }],
    ['memory:', { kind: 'memory', name: 'default' }],
    ['memory:shared', { kind: 'memory', name: 'shared' }],
    ['databricks', { kind: 'file', path: 'databricks' }],
    ['databricks://profile', { kind: 'other', scheme: 'databricks' }],
  ])('%s', (uri, expected) => {
    expect(parseTrackingUri(uri)).toMatchObject(expected);
  });

  it('rejects an empty URI', () => {
    expect(() => parseTrackingUri('  ')).toThrow(/must not be empty/);
  });

  it('rejects a sqlite URI without slashes', () => {
    expect(() => parseTrackingUri('sqlite:mlflow.db')).toThrow(/sqlite:\/\/\//);
  });
});

describe('parseRunsUri', () => {
  it('splits the run id and the artifact path', () => {
    expect(parseRunsUri('runs:/0123abcd/model/MLmodel')).toEqual({
      runId: '0123abcd',
      artifactPath: 'model/MLmodel',
    });
    expect(parseRunsUri('runs:/0123abcd')).toEqual({ runId: '0123abcd', artifactPath: '' });
    expect(parseRunsUri('runs:/0123abcd/dir/')).toEqual({ runId: '0123abcd', artifactPath: 'dir' });
  });

  it('rejects other URIs', () => {
    expect(() => parseRunsUri('models:/x/1')).toThrow(/runs:\/<run_id>/);
    expect(() => parseRunsUri('runs:/')).toThrow();
  });
});

describe('artifact URIs', () => {
  it('parses schemes and local paths', () => {
    expect(parseArtifactUri('s3://bucket/prefix')).toMatchObject({ scheme: 's3', path: '//bucket/prefix' });
    expect(parseArtifactUri('mlflow-artifacts:/1/abc/artifacts')).toMatchObject({
      scheme: 'mlflow-artifacts',
    });
    expect(parseArtifactUri('file:///tmp/a%20b')).toMatchObject({ scheme: 'file', path: '/tmp/a b' });
    expect(parseArtifactUri('/tmp/x')).toMatchObject({ scheme: 'file', path: '/tmp/x' });
  });

  it('joins segments without doubling slashes', () => {
    expect(joinArtifactUri('s3://b/p/', 'a/', '/b')).toBe('s3://b/p/a/b');
    expect(joinArtifactUri('file:///x')).toBe('file:///x');
  });

  it('makes file URIs from absolute paths, encoding what needs it', () => {
    expect(pathToFileUri('/tmp/ml runs')).toBe('file:///tmp/ml%20runs');
    expect(parseArtifactUri(pathToFileUri('/tmp/ml runs/ü')).path).toBe('/tmp/ml runs/ü');
  });
});

describe('resolveArtifactLocation', () => {
  it.each([
    ['my_location', '/work/dir/my_location'],
    ['./runs//a/./b/', '/work/dir/runs/a/b'],
    ['../shared', '/work/dir/../shared'],
    ['my%20location', '/work/dir/my location'],
    ['file:my_location', 'file:///work/dir/my_location'],
    ['file:./my_location', 'file:///work/dir/my_location'],
    ['/abs/location', '/abs/location'],
    ['file:///abs/location', 'file:///abs/location'],
    ['file:/abs/location', 'file:/abs/location'],
    ['file://host/abs', 'file://host/abs'],
    ['s3://bucket/prefix', 's3://bucket/prefix'],
    ['mlflow-artifacts:/prefix', 'mlflow-artifacts:/prefix'],
    ['mlflow-artifacts:prefix', 'mlflow-artifacts:prefix'],
    ['C:/windows/path', 'C:/windows/path'],
  ])('resolves %s as MLflow does against the working directory', (location, expected) => {
    expect(resolveArtifactLocation(location, '/work/dir')).toBe(expected);
  });
});
