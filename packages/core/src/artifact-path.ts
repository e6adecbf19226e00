import { invalidParameter } from './errors.js';

function decodeUntilStable(value: string): string {
  let current = value;
  for (let i = 0; i < 5; i += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * Normalises a relative artifact path and proves it stays inside its root: rejects absolute and
 * drive-letter paths, `..` segments, backslashes, NUL, and the same hidden behind (double) URL-encoding.
 * Returns the path with `.` and empty segments removed; `''` is the root.
 */
export function normaliseArtifactPath(path: string | undefined, field = 'path'): string {
  if (path === undefined || path === '') return '';
  const decoded = decodeUntilStable(path);
  const reject = (why: string) => invalidParameter(`Invalid artifact path '${path}': ${why}`, { field });
  for (const candidate of [path, decoded]) {
    if (candidate.includes('\0')) throw reject('it contains a NUL character');
    if (candidate.includes('\\')) throw reject('backslashes are not allowed');
    if (candidate.startsWith('/')) throw reject('absolute paths are not allowed');
    if (/^[a-zA-Z]:/u.test(candidate) || /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//u.test(candidate)) {
      throw reject('drive letters and URI schemes are not allowed');
    }
    if (candidate.split('/').includes('..')) throw reject("'..' segments are not allowed");
  }
  if (/%(?:25)*(?:2f|5c|00)/iu.test(path)) throw reject('encoded path separators are not allowed');
  return path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}
