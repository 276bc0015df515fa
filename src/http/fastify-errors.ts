// Fastify's own refusals as ours: its content-type, body and JSON errors by their code, and
// its schema validation failures by where they failed, so clients see the stable codes and
// the {"error":{"code","message"}} shape they saw before fastify, whatever refused them.

import type { FastifyError, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import type { ErrorCode } from '../engine/errors.js';
import { HttpError, type HttpErrorCode } from './http-errors.js';

export const MAX_BODY_BYTES = 16 * 1024;

const NOT_JSON = (): HttpError => HttpError.code('INVALID_JSON', 'not valid JSON');

/** Fastify's error codes, as our errors. */
const BY_FASTIFY_CODE: Record<string, (request: FastifyRequest) => HttpError> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (request) =>
    HttpError.code('UNSUPPORTED_MEDIA_TYPE', request.headers['content-type'] || 'none given'),
  FST_ERR_CTP_INVALID_TYPE: () => HttpError.code('UNSUPPORTED_MEDIA_TYPE', 'none given'),
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    HttpError.code('BODY_TOO_LARGE', `at most ${MAX_BODY_BYTES} bytes`),
  FST_ERR_CTP_EMPTY_JSON_BODY: NOT_JSON,
  FST_ERR_CTP_INVALID_JSON_BODY: NOT_JSON,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => HttpError.code('BAD_REQUEST'),
  FST_ERR_BAD_URL: () => HttpError.code('BAD_REQUEST'),
};

/** A path parameter that fails its schema, by name: the code, and how the detail names it. */
const PARAM_CODES: Record<string, { code: ErrorCode | HttpErrorCode; label: string }> = {
  accountId: { code: 'INVALID_ACCOUNT_ID', label: 'id' },
  orderId: { code: 'INVALID_ORDER_ID', label: 'id' },
  // No symbol can have that name: unknown, as it always was.
  symbol: { code: 'SYMBOL_NOT_FOUND', label: 'sym' },
};

type Part = 'params' | 'querystring' | 'body' | 'headers';

interface PropertySchema {
  readonly type?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}
interface PartSchema {
  readonly properties?: Record<string, PropertySchema>;
  readonly required?: readonly string[];
}

function partSchema(request: FastifyRequest, part: Part): PartSchema {
  return ((request.routeOptions.schema as Record<string, unknown> | undefined)?.[part] ??
    {}) as PartSchema;
}

const nameOf = (failure: ErrorObject): string => failure.instancePath.split('/')[1] ?? '';

/** A schema validation failure, as the check that used to be written by hand answered it. */
function fromValidation(request: FastifyRequest, part: Part, failure: ErrorObject): HttpError {
  const schema = partSchema(request, part);
  switch (part) {
    case 'params': {
      const name = nameOf(failure);
      const param = PARAM_CODES[name];
      const value = (request.params as Record<string, string>)[name];
      return param === undefined
        ? HttpError.code('BAD_REQUEST')
        : HttpError.code(param.code, `${param.label}="${value}"`);
    }
    case 'querystring': {
      const name = nameOf(failure);
      const { minimum, maximum } = schema.properties?.[name] ?? {};
      return HttpError.code(
        'INVALID_QUERY',
        `${name} must be an integer from ${minimum} to ${maximum}`,
      );
    }
    case 'body': {
      const required = schema.required ?? [];
      if (failure.keyword === 'required') {
        const body = request.body as Record<string, unknown>;
        return HttpError.code(
          'MISSING_ATTRIBUTE',
          required.filter((k) => body[k] === undefined).join(', '),
        );
      }
      const name = nameOf(failure);
      if (name === '') {
        return HttpError.code(
          'INVALID_JSON',
          `expected {${required.map((k) => `"${k}"`).join(', ')}}`,
        );
      }
      return HttpError.code(
        'INVALID_JSON',
        `${name} must be a ${schema.properties?.[name]?.type} (numbers are exact decimal strings, e.g. "12.5")`,
      );
    }
    default:
      return HttpError.code('BAD_REQUEST');
  }
}

/** Ours, if fastify refused the request; undefined for anything else. */
export function fromFastify(error: FastifyError, request: FastifyRequest): HttpError | undefined {
  const failure = error.validation?.[0] as ErrorObject | undefined;
  if (failure !== undefined)
    return fromValidation(request, error.validationContext as Part, failure);
  return BY_FASTIFY_CODE[error.code]?.(request);
}
