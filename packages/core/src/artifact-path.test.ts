import { describe, expect, it } from 'vitest';
import { normaliseArtifactPath } from './artifact-path.js';

describe('normaliseArtifactPath', () => {
  it('keeps ordinary relative paths and drops empty and "." segments', () => {
    expect(normaliseArtifactPath(undefined)).toBe('');
    expect(normaliseArtifactPath('')).toBe('');
    expect(normaliseArtifactPath('model/MLmodel')).toBe('model/MLmodel');
    expect(normaliseArtifactPath('./a//b/')).toBe('a/b');
    expect(normaliseArtifactPath('dir with space/ü.txt')).toBe('dir with space/ü.txt');
    expect(normaliseArtifactPath('100%.txt')).toBe('100%.txt');
  });

  // MLflow's own regression strings (shared/reference/security.md) plus encoded variants.
  it.each([
    '/path',
    '../path',
    './../path',
    'path/../to/file',
    '/etc/passwd',
    '/etc/passwd%00.jpg',
    '/file://etc/passwd',
    '%2E%2E%2F%2E%2E%2Fpath',
    '%252E%252E%252Fpath',
    'a%2fb',
    'a%252f..',
    'a\\..\\b',
    'C:/Windows',
    'file:///etc/passwd',
    'a\0b',
    '..',
  ])('rejects %s with INVALID_PARAMETER_VALUE', (path) => {
    expect(() => normaliseArtifactPath(path)).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }),
    );
  });
});
