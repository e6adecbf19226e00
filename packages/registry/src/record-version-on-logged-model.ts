import { CairnError, type LoggedModelStore } from '@cairn/core';

/** The tag MLflow keeps on a logged model listing the registered versions made from it. */
export const modelVersionsTag = 'mlflow.modelVersions';

interface VersionEntry {
  name: string;
  version: string | number;
}

const isEntry = (value: unknown): value is VersionEntry =>
  typeof value === 'object' && value !== null && typeof (value as VersionEntry).name === 'string';

/** Python's `json.dumps` of the list (`", "` and `": "` separators), as MLflow writes the tag. */
const pythonJson = (entries: VersionEntry[]) =>
  `[${entries
    .map((entry) => `{"name": ${JSON.stringify(entry.name)}, "version": ${JSON.stringify(entry.version)}}`)
    .join(', ')}]`;

/**
 * Adds `{name, version}` to the logged model's `mlflow.modelVersions` tag unless it is listed already (a
 * server may have recorded it), as MLflow does after registering a logged model. A logged model that no
 * longer exists is left be: the version exists either way, as MLflow only warns.
 */
export async function recordVersionOnLoggedModel(
  tracking: Pick<LoggedModelStore, 'getLoggedModel' | 'setLoggedModelTags'>,
  modelId: string,
  name: string,
  version: string,
): Promise<void> {
  try {
    const model = await tracking.getLoggedModel(modelId);
    const existing = model.info.tags.find((tag) => tag.key === modelVersionsTag)?.value;
    let entries: VersionEntry[] = [];
    if (existing) {
      try {
        const parsed: unknown = JSON.parse(existing);
        if (Array.isArray(parsed)) entries = parsed.filter(isEntry);
      } catch {
        // A tag someone overwrote with something that is not JSON is replaced rather than failing the registration.
      }
    }
    if (entries.some((entry) => entry.name === name && String(entry.version) === version)) return;
    await tracking.setLoggedModelTags(modelId, [
      { key: modelVersionsTag, value: pythonJson([...entries, { name, version }]) },
    ]);
  } catch (error) {
    if (!CairnError.isInstance(error) || error.code !== 'RESOURCE_DOES_NOT_EXIST') throw error;
  }
}
