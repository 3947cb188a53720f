import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

// ajv-formats ships CommonJS with a default export; under ESM interop it arrives one level deep.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const shared: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: 'log' };

/**
 * JSON bodies are validated as sent: a string "30" is not the integer 30, and unknown properties
 * are rejected rather than dropped. Query strings and paths are text by nature, so they coerce.
 */
async function validationPlugin(app: FastifyInstance): Promise<void> {
  const bodyAjv = addFormats(new Ajv({ ...shared, coerceTypes: false }));
  const paramAjv = addFormats(new Ajv({ ...shared, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : paramAjv).compile(schema));
}

export default fp(validationPlugin, { name: 'validation' });
