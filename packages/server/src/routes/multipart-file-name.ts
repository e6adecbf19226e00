import { invalidParameter } from '@cairn/core';

/** The last segment of a path, splitting on `/` and `\` and dropping a Windows drive (`C:`), as ntpath does. */
const lastSegment = (path: string) => {
  const afterSeparator = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return /^[A-Za-z]:/u.test(afterSeparator) ? afterSeparator.slice(2) : afterSeparator;
};

/**
 * The name of the file a multipart request uploads, from its `path` field. The proxy URL names the
 * directory; `path` carries the file's name, though clients before MLflow 3.18 sent their whole local path
 * (POSIX or Windows), so only its last segment counts. The segment is percent-decoded and cut again, so an
 * encoded separator cannot smuggle a directory in, and `.`, `..`, an empty name or a NUL are refused.
 */
export function multipartFileName(path: string): string {
  const invalid = () =>
    invalidParameter(`Invalid path '${path}': the multipart upload's path must end in a file name`, {
      field: 'path',
    });
  let name = lastSegment(path);
  try {
    name = lastSegment(decodeURIComponent(name));
  } catch {
    throw invalid();
  }
  if (name === '' || name === '.' || name === '..' || name.includes('\0')) throw invalid();
  return name;
}
