import { join } from 'node:path';
import { validateEntityKey } from '@cairn/core';
import { removeFile, writeTextAtomic } from './fs-io.js';

/** True for a key that is a valid MLflow key, hence a relative path that stays inside its folder. */
export function isSafeKey(key: string): boolean {
  try {
    validateEntityKey('tag', key);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes one param or tag file (`<owner>/<folder>/<key>`), with its temp file in the owner's folder: a
 * temp file left in `params/` or `tags/` by a killed process would make MLflow refuse to read the run.
 */
export function writeKeyedFile(
  ownerDir: string,
  folder: 'params' | 'tags',
  key: string,
  value: string,
  base = ownerDir,
) {
  return writeTextAtomic(join(ownerDir, folder, key), value, { base, tempDir: ownerDir });
}

/** Deletes a tag file; false if there was no such tag. */
export async function removeTagFile(dir: string, key: string): Promise<boolean> {
  return isSafeKey(key) && (await removeFile(join(dir, key)));
}
