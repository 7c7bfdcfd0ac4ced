import type { FastifyInstance } from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withDeadline } from '../../engines/deadline.js';
import { configForProject } from '../../model/config.js';
import { resolveSegments } from '../../model/segments.js';
import { requireReadKey } from './api-auth.js';
import { type ApiOptions, PROBLEMS as problems, type RouteContext } from './api-context.js';
import { answerApiError } from './api-errors.js';
import { registerDataRoutes } from './data-routes.js';
import { registerDefinitionRoutes } from './definition-routes.js';
import { registerLifecycleRoutes } from './lifecycle-routes.js';
import { registerPlaybookRoutes } from './playbook-routes.js';
import { ProblemError } from './problem.js';
import { registerReportRoutes } from './report-routes.js';
import { registerUnsubscribeRoutes } from './unsubscribe-routes.js';

export type { ApiOptions } from './api-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
  }
}

/**
 * The REST API under /api/v1 (issue 7): the project's read key as a bearer token, JSON answers
 * validated against the zod schemas that also make the OpenAPI document, errors as
 * application/problem+json. The engine serves one request's work at a time (the scoring's
 * scratch tables belong to the connection), through one transaction per request.
 */
export function registerApi(app: FastifyInstance, options: ApiOptions): void {
  // Encapsulated: the hooks, parsers, compilers and error handler below are the API's alone.
  app.register(async (scope) => apiRoutes(scope, options));
}

async function apiRoutes(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const { engine } = options;

  const api = app.withTypeProvider<ZodTypeProvider>();
  api.setValidatorCompiler(validatorCompiler);
  api.setSerializerCompiler(serializerCompiler);
  // Bodies are JSON here (the collector's routes read raw bytes).
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(String(body)));
    } catch {
      done(new ProblemError(400, 'Malformed JSON', 'the body is not valid JSON'), undefined);
    }
  });

  requireReadKey(api, engine, options.sessions);
  api.setErrorHandler(answerApiError);

  api.post(
    '/api/v1/login',
    {
      schema: {
        summary:
          "The dashboard's sign-in: a one-time code from serve's login link for a session token",
        security: [],
        body: z.object({ code: z.string().min(1).max(200) }).strict(),
        response: { 200: z.object({ token: z.string(), project_id: z.string() }), ...problems },
      },
    },
    async (req) => {
      const session = options.sessions?.redeem(req.body.code);
      if (!session) {
        throw new ProblemError(
          401,
          'Unauthorized',
          'the login link is used, expired or unknown: restart serve for a new one, or sign in with the read key',
        );
      }
      return { token: session.token, project_id: session.projectId };
    },
  );
  const rc: RouteContext = {
    engine,
    options,
    ctx: (req) => {
      const config = configForProject(options.config(), req.projectId);
      return { config, projectId: req.projectId, segments: resolveSegments(config.segments) };
    },
    // The limit starts once the request has the engine's turn: a wait behind others is not its
    // own, and an interruption can then only hit its own statements.
    inTurn: (fn) =>
      engine.transaction(() =>
        withDeadline(
          options.config().api.request_timeout_seconds * 1000,
          () => engine.interrupt(),
          fn,
        ),
      ),
  };
  registerReportRoutes(api, rc);
  registerDefinitionRoutes(api, rc);
  registerLifecycleRoutes(api, rc);
  registerDataRoutes(api, rc);
  registerPlaybookRoutes(api, rc);
  registerUnsubscribeRoutes(api, rc);
}
