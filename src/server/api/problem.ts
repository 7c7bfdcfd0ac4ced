import type { FastifyReply, FastifyRequest } from 'fastify';

/** An error the API answers with its own status and words (application/problem+json). */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(detail);
  }
}

/** Sends RFC 9457 problem details: what went wrong, where, and how to fix it. */
export function problem(
  reply: FastifyReply,
  req: FastifyRequest,
  status: number,
  title: string,
  detail: string,
  errors?: { path: string; message: string }[],
): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .serializer((x: unknown) => JSON.stringify(x))
    .send({
      type: 'about:blank',
      title,
      status,
      detail,
      instance: req.url.split('?')[0],
      ...(errors ? { errors } : {}),
    });
}
