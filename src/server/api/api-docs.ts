import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import {
  createJsonSchemaTransform,
  createJsonSchemaTransformObject,
} from 'fastify-type-provider-zod';
import { API_COMPONENTS } from './answer-schemas.js';
import { type ApiOptions, registerApi } from './register-api.js';

/**
 * The docs page's Content-Security-Policy, as strict as the dashboard's (dashboard.ts): Swagger UI
 * loads its scripts, styles and the OpenAPI document from here, and draws icons and its logo from
 * data: URLs. Not @fastify/swagger-ui's own `staticCSP: true`: that allows styles and fonts from any
 * https: origin, and its upgrade-insecure-requests breaks the page on serve's plain-HTTP address.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

/**
 * The REST API with its OpenAPI 3 document (/api/v1/openapi.json), generated from the routes'
 * zod schemas, and interactive docs (/api/v1/docs). Only /api/v1 routes are documented: the
 * collector's routes follow Segment's and PostHog's own protocols (docs/ingest-protocols.md).
 */
export function registerApiWithDocs(app: FastifyInstance, options: ApiOptions): void {
  // Recursive schemas (rule trees) are components, referenced where they are used.
  const jsonSchemaTransform = createJsonSchemaTransform({ schemaRegistry: API_COMPONENTS });
  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'powerlens API',
        version: '1.0.0',
        description:
          "Power users of a product: who they are, why, how they change over time, and what it means per account. Every route takes the project's read key as a bearer token.",
      },
      components: {
        securitySchemes: {
          readKey: { type: 'http', scheme: 'bearer', description: 'The project read key' },
        },
      },
      security: [{ readKey: [] }],
    },
    transform: (input) =>
      input.url.startsWith('/api/v1/') && !input.url.startsWith('/api/v1/docs')
        ? jsonSchemaTransform(input)
        : { schema: { ...input.schema, hide: true }, url: input.url },
    transformObject: createJsonSchemaTransformObject({ schemaRegistry: API_COMPONENTS }),
  });
  app.register(swaggerUi, { routePrefix: '/api/v1/docs', staticCSP: DOCS_CSP });
  registerApi(app, options);
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
