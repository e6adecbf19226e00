import { CairnError, isErrorCode, toCairnError } from '@cairn/core';
import { toWireJson } from '@cairn/core/wire';
import type { FastifyError, FastifyInstance } from 'fastify';

/** Fastify's own request failures, mapped onto the MLflow code the official client expects. */
function fromFastifyError(error: FastifyError): CairnError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CairnError('INVALID_PARAMETER_VALUE', `The request body is too large: ${error.message}`, {
        cause: error,
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new CairnError('INVALID_PARAMETER_VALUE', error.message, { cause: error });
    default:
      return undefined;
  }
}

/**
 * Every failure answers `{error_code, message}` with the status MLflow uses for the code; unknown routes
 * answer 404 ENDPOINT_NOT_FOUND, which drives the official client's fallbacks.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const fastifyError = error as FastifyError;
    const cairnError =
      (typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_')
        ? fromFastifyError(fastifyError)
        : undefined) ?? toCairnError(error);
    if (cairnError.code === 'INTERNAL_ERROR') request.log.error({ err: error }, 'request failed');
    const status = isErrorCode(cairnError.code) ? cairnError.httpStatus : 500;
    return reply.code(status).type('application/json').send(toWireJson(cairnError.toJSON()));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('application/json')
      .send(
        toWireJson({
          error_code: 'ENDPOINT_NOT_FOUND',
          message: `No endpoint ${request.method} ${request.url.split('?')[0]}`,
        }),
      ),
  );
}
