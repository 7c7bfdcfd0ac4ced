import type { FastifyError, FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AnalysisError, lastDataDay } from '../../analysis/run-analysis.js';
import { DeadlineError, withDeadline } from '../../engines/deadline.js';
import { SnapshotError } from '../../lifecycle/run-snapshots.js';
import { ConfigError, configForProject } from '../../model/config.js';
import { DefinitionError } from '../../model/resolve-definition.js';
import { resolveSegments } from '../../model/segments.js';
import { KeyCache } from '../../projects/key-cache.js';
import { type ApiOptions, PROBLEMS as problems, type RouteContext } from './api-context.js';
import { registerDataRoutes } from './data-routes.js';
import { registerDefinitionRoutes } from './definition-routes.js';
import { registerLifecycleRoutes } from './lifecycle-routes.js';
import { ProblemError, problem } from './problem.js';
import { registerReportRoutes } from './report-routes.js';

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
  const readKeys = new KeyCache(engine, 'read');

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

  api.decorateRequest('projectId', '');
  const sessions = options.sessions;
  api.addHook('onRequest', async (req, reply) => {
    if (req.url === '/api/v1/login') return;
    const header = req.headers.authorization ?? '';
    const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const projectId = key
      ? key.startsWith('pl_s_')
        ? (sessions?.projectOf(key) ?? null)
        : await readKeys.projectOf(key)
      : null;
    if (!projectId) {
      return problem(
        reply,
        req,
        401,
        'Unauthorized',
        key
          ? 'the key is not a read key of any project (revoked, unknown, or a write key)'
          : 'send the project read key as Authorization: Bearer <key> (powerlens projects create prints it)',
      );
    }
    req.projectId = projectId;
  });

  api.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return problem(
        reply,
        req,
        400,
        'Invalid request',
        `invalid ${err.validationContext ?? 'request'}: ${err.validation.map((v) => `${v.instancePath.slice(1) || '(root)'}: ${v.message}`).join('; ')}`,
        err.validation.map((v) => ({ path: v.instancePath.slice(1), message: v.message ?? '' })),
      );
    }
    if (err instanceof ProblemError) {
      return problem(reply, req, err.status, err.title, err.message, err.errors);
    }
    if (err instanceof DefinitionError || err instanceof ConfigError) {
      const notFound = /^no definition /.test(err.message);
      return problem(
        reply,
        req,
        notFound ? 404 : 400,
        notFound ? 'Not found' : 'Invalid definition',
        err.message,
      );
    }
    if (err instanceof DeadlineError) {
      reply.header('retry-after', '5');
      return problem(reply, req, 503, 'Too long', err.message);
    }
    if (err instanceof AnalysisError || err instanceof SnapshotError) {
      const notFound = /^no user |not active in the|is an anonymous id/.test(err.message);
      return problem(
        reply,
        req,
        notFound ? 404 : 400,
        notFound ? 'Not found' : 'Bad request',
        err.message,
      );
    }
    const status =
      err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'API request failed');
    return problem(
      reply,
      req,
      status,
      status === 500 ? 'Internal error' : 'Bad request',
      status === 500 ? 'the request failed; the server log has the details' : err.message,
    );
  });

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
      const session = sessions?.redeem(req.body.code);
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
    asOf: async (projectId, given) =>
      given ?? (await lastDataDay(engine, projectId)) ?? new Date().toISOString().slice(0, 10),
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
}
