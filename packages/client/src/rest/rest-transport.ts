import { CairnError, errorCodeForHttpStatus, isErrorCode } from '@cairn/core';
import pRetry from 'p-retry';
import { startIdleDeadline } from './idle-deadline.js';

/** How the REST client talks to a server: MLflow's `MLFLOW_HTTP_REQUEST_*` and `MLFLOW_TRACKING_*` settings. */
export interface RestTransportOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:5000` (no trailing slash). */
  baseUrl: string;
  /** Where to read MLflow's settings from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The fetch implementation; default the global one. */
  fetch?: typeof fetch;
}

/** A value in a GET query: repeated keys for arrays, `true`/`false` for booleans. */
export type QueryValue = string | number | boolean | undefined | readonly (string | number)[];

/** Sends MLflow REST calls with MLflow's retry, timeout and authentication rules. */
export interface RestTransport {
  readonly baseUrl: string;
  /** Calls a JSON RPC; GET sends `body` as the query string. Resolves to the parsed JSON object. */
  json(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: Record<string, unknown>,
  ): Promise<unknown>;
  /**
   * Sends a raw request (artifact bytes), with auth, retries for replayable bodies, and a timeout that
   * fires only when no bytes move for MLFLOW_HTTP_REQUEST_TIMEOUT (in either direction), not on a long transfer.
   */
  raw(url: string, init: RequestInit & { replayable: boolean }): Promise<Response>;
}

/** MLflow's client retries these statuses (its default `respect_retry_after_header` set). */
const retryStatuses = new Set([408, 429, 500, 502, 503, 504]);

interface RetrySettings {
  retries: number;
  backoffFactor: number;
  timeoutMs: number;
}

function numberSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new CairnError('INVALID_PARAMETER_VALUE', `${name} must be a non-negative number, got '${raw}'`, {
      details: { field: name },
    });
  }
  return value;
}

/** MLflow's defaults: 7 retries, backoff factor 2 (seconds), 120 s timeout per request. */
export function retrySettings(env: NodeJS.ProcessEnv): RetrySettings {
  return {
    retries: Math.floor(numberSetting(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', 7)),
    backoffFactor: numberSetting(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', 2),
    timeoutMs: numberSetting(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', 120) * 1000,
  };
}

/** `Authorization` from MLFLOW_TRACKING_TOKEN (Bearer) or MLFLOW_TRACKING_USERNAME/PASSWORD (Basic). */
export function authorizationHeader(env: NodeJS.ProcessEnv): string | undefined {
  if (env.MLFLOW_TRACKING_TOKEN) return `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
  if (env.MLFLOW_TRACKING_USERNAME !== undefined && env.MLFLOW_TRACKING_PASSWORD !== undefined) {
    const pair = `${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD}`;
    return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  return undefined;
}

/** NaN and infinities travel as strings in protobuf JSON. */
export const toWireJson = (body: unknown) =>
  JSON.stringify(body, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value)
      ? Number.isNaN(value)
        ? 'NaN'
        : value > 0
          ? 'Infinity'
          : '-Infinity'
      : value,
  );

/** Builds a query string with MLflow's conventions: repeated keys for lists, `true`/`false` for booleans. */
export function toQueryString(query: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** Turns a failed response into a CairnError: the server's `{error_code, message}` if any, else by status. */
export async function errorFromResponse(response: Response, what: string): Promise<CairnError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (isErrorCode(body.error_code)) {
      return new CairnError(body.error_code, typeof body.message === 'string' ? body.message : text, {
        details: { httpStatus: response.status },
      });
    }
  } catch {
    // Not JSON: MLflow's client also falls back to the status.
  }
  return new CairnError(
    errorCodeForHttpStatus(response.status),
    `${what} failed with HTTP ${response.status}: ${text.slice(0, 500)}`,
    { details: { httpStatus: response.status } },
  );
}

const isRetryableStatus = (error: unknown) =>
  CairnError.isInstance(error) && retryStatuses.has(Number(error.details?.httpStatus));

/** Creates the transport for one server. */
export function createRestTransport(options: RestTransportOptions): RestTransport {
  const env = options.env ?? process.env;
  const settings = retrySettings(env);
  const fetchImpl = options.fetch ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/u, '');
  const authorization = authorizationHeader(env);

  const withRetries = <T>(what: string, attempt: () => Promise<T>, replayable: boolean): Promise<T> =>
    pRetry(attempt, {
      retries: replayable ? settings.retries : 0,
      factor: 2,
      minTimeout: settings.backoffFactor * 1000,
      maxTimeout: 120_000,
      // Jitter spreads the retries of many clients hitting one overloaded server.
      randomize: true,
      shouldRetry: ({ error }) => isRetryableStatus(error) || error.name === 'TimeoutError',
    }).catch((error: unknown) => {
      if (CairnError.isInstance(error)) throw error;
      const reason =
        error instanceof Error
          ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ''}`
          : String(error);
      const code =
        error instanceof Error && error.name === 'TimeoutError'
          ? 'DEADLINE_EXCEEDED'
          : 'TEMPORARILY_UNAVAILABLE';
      throw new CairnError(code, `${what} to ${baseUrl} failed: ${reason}`, { cause: error });
    });

  const headers = (extra: Record<string, string>) => ({
    'User-Agent': 'cairn-client',
    ...(authorization ? { Authorization: authorization } : {}),
    ...extra,
  });

  return {
    baseUrl,
    json: (method, path, body = {}) => {
      const url = `${baseUrl}${path}${method === 'GET' ? toQueryString(body) : ''}`;
      const what = `${method} ${path}`;
      return withRetries(
        what,
        async () => {
          const response = await fetchImpl(url, {
            method,
            headers: headers(method === 'GET' ? {} : { 'Content-Type': 'application/json' }),
            ...(method === 'GET' ? {} : { body: toWireJson(body) }),
            signal: AbortSignal.timeout(settings.timeoutMs),
          });
          if (!response.ok) throw await errorFromResponse(response, what);
          const text = await response.text();
          return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
        },
        true,
      );
    },
    raw: (url, init) => {
      const { replayable, ...rest } = init;
      return withRetries(
        `${init.method ?? 'GET'} ${url}`,
        async () => {
          // Artifact bytes may take longer than the timeout in total; only a stall may not.
          const deadline = startIdleDeadline(settings.timeoutMs);
          try {
            const response = await fetchImpl(url, {
              ...rest,
              ...(rest.body instanceof ReadableStream ? { body: deadline.watch(rest.body, false) } : {}),
              headers: headers((rest.headers as Record<string, string> | undefined) ?? {}),
              signal: deadline.signal,
            });
            if (!response.ok && retryStatuses.has(response.status)) {
              deadline.done();
              throw await errorFromResponse(response, url);
            }
            if (response.body === null) {
              deadline.done();
              return response;
            }
            deadline.touch();
            return new Response(deadline.watch(response.body, true), {
              status: response.status,
              statusText: response.statusText,
              headers: response.headers,
            });
          } catch (error) {
            deadline.done();
            throw error;
          }
        },
        replayable,
      );
    },
  };
}
