import { Ajv } from 'ajv';
import { expect } from 'vitest';

interface OpenApiDoc {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
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
    const validate = ajv.compile(schema as object);
    const ok = validate(body);
    expect(ok, JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  };
}
