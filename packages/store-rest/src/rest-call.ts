import type { z } from 'zod';
import { parseWireResponse } from './parse-wire-response.js';
import type { RestTransport } from './rest-transport.js';

/** The HTTP methods MLflow's JSON RPCs use. */
export type RpcMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Calls a JSON RPC and parses its answer with the RPC's wire response schema. */
export type RestCall = <T extends z.ZodType>(
  schema: T,
  method: RpcMethod,
  path: string,
  body?: Record<string, unknown>,
) => Promise<z.output<T>>;

/** Calls a JSON RPC whose answer carries nothing the caller reads (`{}`). */
export type RestSend = (method: RpcMethod, path: string, body?: Record<string, unknown>) => Promise<void>;

/** The {@link RestCall} and {@link RestSend} of one transport, for RPCs under `prefix` (e.g. `/api/2.0/mlflow`). */
export function restCalls(transport: RestTransport, prefix: string): { call: RestCall; send: RestSend } {
  return {
    call: async (schema, method, path, body = {}) =>
      parseWireResponse(
        schema,
        await transport.json(method, `${prefix}${path}`, body),
        `${method} ${prefix}${path}`,
      ),
    send: async (method, path, body = {}) => {
      await transport.json(method, `${prefix}${path}`, body);
    },
  };
}
