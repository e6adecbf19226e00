import type { ModelVersion, RegisteredModel } from '@cairn/core';

/**
 * A model version as MLflow's server answers it. Its handler stores the request's `description`, which
 * protobuf reads as "" when absent, so a version without one carries `"description": ""`; MLflow's client
 * reads a missing field as None, where MLflow users (and its tests) expect "".
 */
export function toWireModelVersion(version: ModelVersion): ModelVersion {
  return { ...version, description: version.description ?? '' };
}

/** A registered model as MLflow's server answers it: its latest versions as {@link toWireModelVersion} writes them. */
export function toWireRegisteredModel(model: RegisteredModel): RegisteredModel {
  return { ...model, latest_versions: model.latest_versions.map(toWireModelVersion) };
}
