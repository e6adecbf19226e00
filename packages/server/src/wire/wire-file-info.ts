import type { FileInfo } from '@cairn/core';

/**
 * A FileInfo as MLflow puts it on the wire: proto3 JSON drops a zero `file_size`, so an empty file is listed
 * with no size (MLflow's client reads None), as `mlflow server` lists it.
 */
export function toWireFileInfo(info: FileInfo): FileInfo {
  if (info.file_size !== 0) return info;
  const { file_size: _omitted, ...rest } = info;
  return rest;
}
