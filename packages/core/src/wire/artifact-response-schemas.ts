import { z } from 'zod';
import { wireInt64, wireList } from './wire-types.js';

/** A listed file; proto3 JSON drops a zero `file_size`, so a file listed without one is empty. */
export const wireFileInfo = z
  .object({ path: z.string(), is_dir: z.boolean().optional(), file_size: wireInt64().optional() })
  .transform(({ path, is_dir, file_size }) =>
    is_dir ? { path, is_dir: true } : { path, is_dir: false, file_size: file_size ?? 0 },
  );

/** `artifacts/list` (a run's files) and the proxy's `mlflow-artifacts/artifacts` listing. */
export const listArtifactsResponse = z.object({
  root_uri: z.string().optional(),
  files: wireList(wireFileInfo),
  next_page_token: z.string().optional(),
});
