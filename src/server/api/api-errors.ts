import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AnalysisError } from '../../analysis/analysis-error.js';
import { DeadlineError } from '../../engines/deadline.js';
import { SnapshotError } from '../../lifecycle/run-snapshots.js';
import { ConfigError } from '../../model/config.js';
import { DefinitionError } from '../../model/resolve-definition.js';
import { PlaybookError } from '../../playbooks/playbook-error.js';
import { ProblemError, problem } from './problem.js';

/**
 * Every API error as application/problem+json: what was wrong and how to fix it for the caller's
 * mistakes (4xx), a retry hint when the request ran out of time, and nothing of the internals
 * for the rest (those go to the log).
 */
export function answerApiError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
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
  if (err instanceof PlaybookError) {
    // A playbook that cannot run as configured (e.g. a feature no event carries): fix the config.
    return problem(reply, req, 400, 'Invalid playbook', err.message);
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
}
