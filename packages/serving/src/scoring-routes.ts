import { CairnError } from '@cairn/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerInvocation, type InvocationResponse } from './invocation.js';
import type { ServedModel } from './served-model.js';

/** MLflow's scoring server gives a request 60 s (`MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT`). */
export const defaultRequestTimeoutMs = 60_000;
/**
 * MLflow's scoring server (uvicorn) reads bodies of any size; Cairn refuses past 100 MiB by default so one
 * request cannot exhaust the process's memory (raise it with `maxRequestBytes`).
 */
export const defaultMaxRequestBytes = 100 * 1024 * 1024;

/** Limits of the `/invocations` routes. */
export interface ScoringLimits {
  /** Largest request body in bytes; larger ones answer 413 (default {@link defaultMaxRequestBytes}). */
  readonly maxRequestBytes?: number;
  /** Longest a prediction may take before the request answers 504, in ms (default 60 000). */
  readonly requestTimeoutMs?: number;
}

/**
 * Registers `POST <path>` answering MLflow's scoring protocol with the model `served(request)` gives, in an
 * encapsulated scope whose bodies are read raw (the protocol decides what a content type means, not Fastify).
 */
export function registerInvocationsRoute(
  app: FastifyInstance,
  path: string,
  served: (request: FastifyRequest) => Promise<ServedModel>,
  limits: ScoringLimits = {},
): void {
  const maxRequestBytes = limits.maxRequestBytes ?? defaultMaxRequestBytes;
  const timeoutMs = limits.requestTimeoutMs ?? defaultRequestTimeoutMs;
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: maxRequestBytes },
      (_request, body, done) => {
        done(null, body);
      },
    );
    scope.setErrorHandler((error: Error & { code?: string; statusCode?: number }, _request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply
          .code(413)
          .type('application/json')
          .send({
            error_code: 'RESOURCE_LIMIT_EXCEEDED',
            message: `The request body is larger than the scoring server's limit of ${maxRequestBytes} bytes (maxRequestBytes / --max-request-bytes)`,
          });
      }
      const cairnError = CairnError.isInstance(error) ? error : undefined;
      const status =
        cairnError?.httpStatus ?? (error.statusCode && error.statusCode < 500 ? error.statusCode : 500);
      return reply
        .code(status)
        .type('application/json')
        .send({
          error_code: cairnError?.code ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL_ERROR'),
          message: error.message,
        });
    });
    scope.post(path, async (request, reply) => {
      const model = await served(request);
      const body =
        request.body === undefined || request.body === null ? '' : (request.body as Buffer).toString('utf8');
      return sendInvocationResponse(
        reply,
        await answerInvocation(model, body, request.headers['content-type'], { timeoutMs }),
      );
    });
  });
}

function sendInvocationResponse(reply: FastifyReply, response: InvocationResponse) {
  return reply.code(response.status).headers(response.headers).type(response.contentType).send(response.body);
}
