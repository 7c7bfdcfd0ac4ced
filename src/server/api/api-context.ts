import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { NoDataError, resolveAsOf } from '../../analysis/resolve-as-of.js';
import type { Engine } from '../../engines/engine.js';
import type { Config } from '../../model/config.js';
import type { Segment } from '../../model/segments.js';
import { Problem } from './api-schemas.js';
import type { Sessions } from './sessions.js';

export interface ApiOptions {
  engine: Engine;
  /** The config in force; definitions written through the API replace it. */
  config: () => Config;
  /** Where definitions are written (powerlens.yaml), or null when there is no file to write. */
  configFile: string | null;
  onConfigChange?: (config: Config) => void;
  /** The dashboard's one-time login codes and sessions (sessions.ts). */
  sessions?: Sessions;
  /** The dashboard's address, for the links playbook payloads carry (null: none known yet). */
  baseUrl?: () => string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
  }
}

/** The API's Fastify instance, with requests and answers typed by their zod schemas. */
export type ZodApi = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse<IncomingMessage>,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** The answers every route may give besides its own. */
export const PROBLEMS = { 400: Problem, 401: Problem, 404: Problem, 503: Problem };

/** What the route files share: the engine, the options, the request's project and config. */
export interface RouteContext {
  engine: Engine;
  options: ApiOptions;
  ctx(req: FastifyRequest): { config: Config; projectId: string; segments: Segment[] };
  /** One request's engine work in one turn: nobody else's scoring lands in between. */
  inTurn<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * The as-of day of a request, resolved where it enters (resolveAsOf): the one asked for (the
 * request's schema has checked it is a day), else the last day with data, else (a project without
 * events yet: a state, not an error) today, whose window is empty. Call it inside the request's
 * turn.
 */
export async function requestAsOf(
  engine: Engine,
  projectId: string,
  given: string | undefined,
): Promise<string> {
  try {
    return await resolveAsOf(engine, projectId, given);
  } catch (err) {
    if (err instanceof NoDataError) return new Date().toISOString().slice(0, 10);
    throw err;
  }
}
