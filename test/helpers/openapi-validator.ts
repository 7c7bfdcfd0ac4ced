import { Ajv } from 'ajv';
import { expect } from 'vitest';

interface OpenApiDoc {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
  components?: { schemas?: Record<string, unknown> };
}

/**
 * Checks an answer against the response schema the OpenAPI document gives for its path, method
 * and status (JSON Schema, compiled by Ajv), so the document cannot drift from what is sent.
 */
export async function openApiValidator(doc: OpenApiDoc) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  return (path: string, method: string, status: number, body: unknown): void => {
    const content = doc.paths[path]?.[method]?.responses[String(status)]?.content;
    const schema =
      content?.['application/json']?.schema ?? content?.['application/problem+json']?.schema;
    expect(schema, `${method} ${path} ${status} in the OpenAPI document`).toBeDefined();
    // The document's components go along, for the schema's references to them (#/components/...).
    const validate = ajv.compile(
      draft7({ ...(schema as object), components: doc.components }) as object,
    );
    const ok = validate(body);
    expect(ok, JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  };
}

/**
 * OpenAPI 3.0's schema dialect as JSON Schema draft 7, which Ajv speaks: 3.0 writes an exclusive
 * bound as a flag beside the bound (minimum: 0, exclusiveMinimum: true), draft 7 as the bound.
 */
function draft7(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(draft7);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = draft7(v);
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (out[flag] === true) {
      out[flag] = out[bound];
      delete out[bound];
    } else if (out[flag] === false) delete out[flag];
  }
  return out;
}
