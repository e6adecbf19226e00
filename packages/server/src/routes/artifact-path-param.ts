import { CairnError, invalidParameter, normaliseArtifactPath } from '@cairn/core';

/**
 * An artifact path a client names, normalised and confined by core's `normaliseArtifactPath`. A refused path
 * fails as MLflow's `validate_path_is_safe` does, 400 INVALID_PARAMETER_VALUE with exactly `Invalid path`:
 * MLflow's clients and tests compare that message, so core's reason goes to the error's details instead.
 */
export function artifactPathParam(path: string | undefined, field: string): string {
  try {
    return normaliseArtifactPath(path, field);
  } catch (error) {
    if (CairnError.isInstance(error) && error.code === 'INVALID_PARAMETER_VALUE') {
      throw invalidParameter('Invalid path', { field, reason: error.message });
    }
    throw error;
  }
}
