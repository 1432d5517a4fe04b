/**
 * One error shape for every console route: `{ statusCode, error, message, errors? }`, where
 * `errors` names each bad field (`body/0/actor/type`, `querystring/limit`). Server faults never
 * leak their message or stack.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export interface FieldError {
  field: string;
  message: string;
}

/** A 4xx the handlers throw: status and message go to the client as they are. */
export class ConsoleError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface AjvLikeError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Ajv errors as fields: `missingProperty` and `additionalProperty` point at the property itself. */
export function fieldErrors(context: string, errors: readonly AjvLikeError[]): FieldError[] {
  return errors.map((e) => {
    let path = e.instancePath ?? '';
    const extra = e.params?.missingProperty ?? e.params?.additionalProperty;
    if (typeof extra === 'string') path += `/${extra}`;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') message = 'is not a known field';
    if (e.keyword === 'required') message = 'is required';
    if (e.keyword === 'enum' && Array.isArray(e.params?.allowedValues))
      message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    return { field: `${context}${path}`, message };
  });
}

export function errorHandler(
  error: FastifyError & { validation?: AjvLikeError[]; validationContext?: string; errors?: FieldError[] },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error.validation) {
    const errors = fieldErrors(error.validationContext ?? 'request', error.validation);
    reply.code(400).send({
      statusCode: 400,
      error: REASONS[400],
      message: errors.map((e) => `${e.field} ${e.message}`).join('; '),
      errors,
    });
    return;
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'console request failed');
    reply
      .code(status)
      .send({ statusCode: status, error: REASONS[status] ?? 'Error', message: 'internal error' });
    return;
  }
  const body: Record<string, unknown> = {
    statusCode: status,
    error: REASONS[status] ?? 'Error',
    message: error.message,
  };
  if (error.errors) body.errors = error.errors;
  reply.code(status).send(body);
}
