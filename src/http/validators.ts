// Request validation. Paths and query strings are text, so their schemas coerce ("20" is
// the integer 20); a body is JSON and is taken as it came: a number where a decimal string
// belongs is refused, never turned into the string.

import { Ajv, type Options } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

// Fastify's own defaults, less coercion for bodies. One error at a time: reporting them all
// lets a crafted request make validation expensive.
const OPTIONS: Options = { useDefaults: true, removeAdditional: true, allErrors: false };
const text = new Ajv({ ...OPTIONS, coerceTypes: 'array' });
const json = new Ajv({ ...OPTIONS, coerceTypes: false });

/** Integers in a query string are plain digits, as they always were: not " 5", "1e2", "0x10". */
const DIGITS = /^[0-9]+$/;

function integerNames(schema: object): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  return Object.entries(properties ?? {})
    .filter(([, property]) => property.type === 'integer')
    .map(([name]) => name);
}

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  if (httpPart === 'body') return json.compile(schema);
  const validate = text.compile(schema);
  const integers = httpPart === 'querystring' ? integerNames(schema) : [];
  if (integers.length === 0) return validate;
  return (data: Record<string, unknown>) => {
    for (const name of integers) {
      const value = data[name];
      if (value !== undefined && (typeof value !== 'string' || !DIGITS.test(value))) {
        const error = { keyword: 'type', instancePath: `/${name}`, schemaPath: '', params: {} };
        return { error: [error] };
      }
    }
    return validate(data) ? { value: data } : { error: validate.errors ?? [] };
  };
};
