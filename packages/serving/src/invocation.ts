import { CairnError } from '@cairn/core';
import { toJsonPredictions } from './predictions-json.js';
import { checkContentType, parseScoringRequest, UnsupportedContentTypeError } from './scoring-request.js';
import type { ServedModel } from './served-model.js';

/** Header naming the registered model version that answered a request. */
export const modelVersionHeader = 'x-cairn-model-version';
/** Header naming the model URI that answered a request (`models:/churn/3`). */
export const modelUriHeader = 'x-cairn-model-uri';

/** An HTTP answer, independent of the framework that writes it. */
export interface InvocationResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Options of {@link answerInvocation}. */
export interface InvocationOptions {
  /** Longest a prediction may take before the request answers 504, in ms (MLflow: 60 s). */
  readonly timeoutMs: number;
}

const jsonError = (status: number, body: Record<string, unknown>, headers: Record<string, string>) => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(body),
  headers,
});

/**
 * Answers one `POST /invocations` as MLflow's scoring server does: the body parsed by its content type,
 * `predict` on the model the request leased, `{"predictions": ...}`. Client mistakes (malformed JSON, no or
 * several format keys, a signature violation) answer 400 with `{error_code, message}`; an unsupported content
 * type 415 in plain text; a model that throws 500 with the stack trace, and the server keeps serving.
 */
export async function answerInvocation(
  served: ServedModel,
  body: string,
  contentTypeHeader: string | undefined,
  options: InvocationOptions,
): Promise<InvocationResponse> {
  let kind: 'json' | 'csv';
  try {
    kind = checkContentType(contentTypeHeader);
  } catch (error) {
    if (error instanceof UnsupportedContentTypeError) {
      return { status: 415, contentType: 'text/plain', body: error.message, headers: {} };
    }
    throw error;
  }
  let request: ReturnType<typeof parseScoringRequest>;
  try {
    request = parseScoringRequest(body, kind);
  } catch (error) {
    const cairnError = CairnError.isInstance(error) ? error : new CairnError('BAD_REQUEST', String(error));
    return jsonError(cairnError.httpStatus, cairnError.toJSON(), {});
  }
  const lease = served.acquire();
  const headers: Record<string, string> = { [modelUriHeader]: lease.uri };
  if (lease.version !== undefined) headers[modelVersionHeader] = lease.version;
  const prediction = Promise.resolve().then(() => lease.model.predict(request.input, request.params));
  // The lease ends when the model is done, not when a timeout answers: a swap must not close a model mid-predict.
  prediction.then(lease.release, lease.release);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  try {
    const output = await Promise.race([prediction, timedOut]);
    if (output === 'timeout') {
      return {
        status: 504,
        contentType: 'application/json',
        body: 'Request processing time exceeded limit',
        headers,
      };
    }
    return {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ predictions: toJsonPredictions(output) }),
      headers,
    };
  } catch (error) {
    if (CairnError.isInstance(error) && error.httpStatus < 500) {
      // The caller's fault (the signature refused the input): MLflow prefixes what it tried to predict.
      return jsonError(error.httpStatus, error.toJSON(), headers);
    }
    const message = error instanceof Error ? error.message : String(error);
    return jsonError(
      500,
      {
        error_code: 'INTERNAL_ERROR',
        message: `Encountered an unexpected error while evaluating the model. Verify that the serialized input Dataframe is compatible with the model for inference. Error: '${message}'`,
        stack_trace: error instanceof Error ? (error.stack ?? message) : message,
      },
      headers,
    );
  } finally {
    clearTimeout(timer);
  }
}
