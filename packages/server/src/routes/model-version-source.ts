import { CairnError, invalidParameter, parseModelUri, parseRunsUri, type TrackingStore } from '@cairn/core';

/** Decodes percent and `+` escapes until stable, so `..%252f` cannot hide a `..`. */
function fullyDecoded(source: string): string {
  let current = source;
  for (let round = 0; round < 10; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current.replace(/\+/gu, ' '));
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

interface UriParts {
  scheme: string;
  authority: string;
  segments: string[];
}

/** Scheme, authority and non-empty path segments: what "within a root" compares. */
function uriParts(uri: string): UriParts {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/]*))?(.*)$/su.exec(uri);
  const scheme = match?.[1]?.toLowerCase() ?? '';
  const authority = match?.[2] ?? '';
  const path = match ? (match[3] ?? '') : uri;
  return { scheme, authority, segments: path.split('/').filter((segment) => segment !== '') };
}

const isWithin = (source: string, root: string): boolean => {
  const inner = uriParts(source);
  const outer = uriParts(root);
  return (
    inner.scheme === outer.scheme &&
    inner.authority === outer.authority &&
    outer.segments.length > 0 &&
    outer.segments.every((segment, index) => inner.segments[index] === segment)
  );
};

const isLocal = (source: string) => {
  const { scheme } = uriParts(source);
  return scheme === '' || scheme === 'file';
};

const isProxiedArtifact = (source: string) => {
  const { scheme, segments } = uriParts(source);
  if (scheme === 'mlflow-artifacts') return true;
  const route = ['api', '2.0', 'mlflow-artifacts', 'artifacts'];
  return (
    (scheme === 'http' || scheme === 'https') &&
    segments.some((_, start) => route.every((part, offset) => segments[start + offset] === part))
  );
};

const invalidSource = (source: string, owner: 'run_id' | 'model_id') =>
  invalidParameter(
    `Invalid model version source: '${source}'. The ${owner} request parameter must identify the resource that contains the source.`,
    { field: 'source' },
  );

/** The artifact root of the run or logged model `owner` names; an unknown one makes the source invalid. */
async function rootOf(
  tracking: TrackingStore,
  source: string,
  owner: { runId?: string | undefined; modelId?: string | undefined },
): Promise<string | undefined> {
  try {
    if (owner.modelId !== undefined) return (await tracking.getLoggedModel(owner.modelId)).info.artifact_uri;
    if (owner.runId !== undefined) return (await tracking.getRun(owner.runId)).info.artifact_uri;
    return undefined;
  } catch (error) {
    if (CairnError.isInstance(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') {
      throw invalidSource(source, owner.modelId !== undefined ? 'model_id' : 'run_id');
    }
    throw error;
  }
}

/**
 * Refuses a model-version source the way MLflow's server does, so a version cannot point the registry at
 * files outside what its run (or logged model) owns: no `..` or NUL even after decoding; a local path or a
 * proxied `mlflow-artifacts` URI only inside the artifacts of the run or logged model given with it; a
 * `runs:/` source only with its own run id; a `models:/<model_id>` source only with that model id.
 */
export async function validateModelVersionSource(
  tracking: TrackingStore,
  source: string,
  owner: { runId?: string | undefined; modelId?: string | undefined },
): Promise<void> {
  const ownerName = owner.modelId !== undefined ? 'model_id' : 'run_id';
  const decoded = fullyDecoded(source);
  if (
    decoded.includes('\u0000') ||
    decoded.split('/').some((segment) => segment === '..' || segment === '.')
  ) {
    throw invalidParameter(
      `Invalid model version source: '${source}'. An absolute path must be provided without relative path references ('.', '..') or NUL.`,
      { field: 'source' },
    );
  }
  const { scheme } = uriParts(source);
  if (scheme === 'models') {
    const uri = parseModelUri(source);
    if (uri.kind === 'logged-model' && owner.modelId !== undefined && uri.modelId !== owner.modelId) {
      throw invalidSource(source, 'model_id');
    }
    return;
  }
  if (scheme === 'runs') {
    if (owner.modelId !== undefined && owner.runId === undefined) throw invalidSource(source, 'model_id');
    if (source.startsWith('runs://') || parseRunsUri(source).runId !== owner.runId) {
      throw invalidSource(source, 'run_id');
    }
    return;
  }
  if (isLocal(source) || isProxiedArtifact(source)) {
    const root = await rootOf(tracking, source, owner);
    // A local source must sit in a local artifact root; a proxied one in its proxied root.
    const absolute = scheme === '' ? `file://${source}` : source;
    if (
      root === undefined ||
      !isWithin(absolute, isLocal(root) && uriParts(root).scheme === '' ? `file://${root}` : root)
    ) {
      throw invalidSource(source, ownerName);
    }
  }
}
