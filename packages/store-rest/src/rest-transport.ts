import { CairnError, errorCodeForHttpStatus, isErrorCode, type StoreEnvironment } from '@cairn/core';
import { toWireJson } from '@cairn/core/wire';
import pRetry from 'p-retry';
import { startIdleDeadline } from './idle-deadline.js';

/**
 * How the REST client talks to a server. Explicit options win; MLflow's `MLFLOW_HTTP_REQUEST_*` and
 * `MLFLOW_TRACKING_*` variables are read only from `env`, never from `process.env` (a browser has none).
 */
export interface RestTransportOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:5000` (no trailing slash). */
  baseUrl: string;
  /** MLflow's environment variables, where an environment exists (pass `process.env` in Node); default none. */
  env?: StoreEnvironment;
  /** A bearer token (MLFLOW_TRACKING_TOKEN). */
  token?: string;
  /** Basic authentication (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD). */
  username?: string;
  password?: string;
  /** Headers sent with every request (after the defaults, before `Authorization`). */
  headers?: Record<string, string>;
  /** Retries of a failed replayable request (MLFLOW_HTTP_REQUEST_MAX_RETRIES, default 7). */
  maxRetries?: number;
  /** First retry delay in seconds, doubled each time (MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR, default 2). */
  backoffFactor?: number;
  /** Seconds a request may wait for bytes (MLFLOW_HTTP_REQUEST_TIMEOUT, default 120). */
  timeoutSeconds?: number;
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

function numberSetting(
  env: StoreEnvironment,
  name: string,
  explicit: number | undefined,
  fallback: number,
): number {
  if (explicit !== undefined) return checkedNumber(name, explicit, String(explicit));
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return checkedNumber(name, Number(raw), raw);
}

function checkedNumber(name: string, value: number, raw: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new CairnError('INVALID_PARAMETER_VALUE', `${name} must be a non-negative number, got '${raw}'`, {
      details: { field: name },
    });
  }
  return value;
}

type SettingOptions = Pick<RestTransportOptions, 'maxRetries' | 'backoffFactor' | 'timeoutSeconds'>;

/** MLflow's defaults: 7 retries, backoff factor 2 (seconds), 120 s timeout per request. Options win over `env`. */
export function retrySettings(env: StoreEnvironment, options: SettingOptions = {}): RetrySettings {
  return {
    retries: Math.floor(numberSetting(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', options.maxRetries, 7)),
    backoffFactor: numberSetting(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', options.backoffFactor, 2),
    timeoutMs: numberSetting(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', options.timeoutSeconds, 120) * 1000,
  };
}

/** Base64 of a string's UTF-8 bytes, with what browsers and Node both have (no Buffer). */
function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

type AuthOptions = Pick<RestTransportOptions, 'token' | 'username' | 'password'>;

/**
 * `Authorization`: Bearer from the `token` option or MLFLOW_TRACKING_TOKEN, else Basic from `username` and
 * `password` or MLFLOW_TRACKING_USERNAME/PASSWORD. Explicit options win over `env`.
 */
export function authorizationHeader(env: StoreEnvironment, options: AuthOptions = {}): string | undefined {
  const token = options.token ?? env.MLFLOW_TRACKING_TOKEN;
  if (token) return `Bearer ${token}`;
  const username = options.username ?? env.MLFLOW_TRACKING_USERNAME;
  const password = options.password ?? env.MLFLOW_TRACKING_PASSWORD;
  if (username !== undefined && password !== undefined)
    return `Basic ${base64Utf8(`${username}:${password}`)}`;
  return undefined;
}

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
  const env = options.env ?? {};
  const settings = retrySettings(env, options);
  const fetchImpl = options.fetch ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/u, '');
  const authorization = authorizationHeader(env, options);

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
    ...options.headers,
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
