/**
 * The shapes the dashboard reads from the API, taken from api-types.gen.ts: the types that
 * openapi-typescript generates from the API's OpenAPI document (scripts/write-api-types.ts, run
 * by npm run build and npm test). A change to an answer's schema in src/server/api shows here, and
 * `tsc -p dashboard` fails where the dashboard no longer fits it.
 */
import type { components, paths } from './api-types.gen.js';

/** The JSON of a 200 answer. */
type Json<Op> = Op extends { responses: { 200: { content: { 'application/json': infer T } } } }
  ? T
  : never;

/** The answer of GET `path`. */
type Get<P extends keyof paths> = Json<paths[P]['get']>;
/** The answer of POST `path`. */
type Post<P extends keyof paths> = Json<paths[P]['post']>;

export type Login = Post<'/api/v1/login'>;

export type Report = Get<'/api/v1/report'>;
export type CurvePoint = Report['curves']['l30'][number];

export type UsersPage = Get<'/api/v1/users'>;
export type UserResult = UsersPage['users'][number];
export type CriterionResult = UserResult['criteria'][number];
export type SignalName = keyof UserResult['signals'];

/** One user explained: verdict, criteria, features used, traits, account and daily activity. */
export type UserExplanation = Get<'/api/v1/users/{user_id}'>;

export type LifecycleReport = Get<'/api/v1/lifecycle'>;

export type AccountsAnswer = Get<'/api/v1/accounts'>;
export type Account = AccountsAnswer['accounts'][number];

export type DefinitionList = Get<'/api/v1/definitions'>;
export type DefinitionSummary = DefinitionList['definitions'][number];
/** One definition as written in the config, with its summary. */
export type DefinitionAnswer = Get<'/api/v1/definitions/{name}'>;
/** A rule as written (criteria and groups), as the definition answer and body carry it. */
export type RuleInput = components['schemas']['Rule'];
export type WhatIfAnswer = Post<'/api/v1/what-if'>;

export type FailedEventsPage = Get<'/api/v1/failed-events'>;
export type FailedEvent = FailedEventsPage['events'][number];

export type SnapshotStatus = Get<'/api/v1/snapshots'>;
export type SnapshotRun = Post<'/api/v1/snapshots'>;
export type PeriodKind = SnapshotStatus['period'];

export type PlaybooksAnswer = Get<'/api/v1/playbooks'>;
export type PlaybookListing = PlaybooksAnswer['playbooks'][number];
export type PlaybookPreview = Get<'/api/v1/playbooks/{name}/preview'>;
export type DeliveryLog = Get<'/api/v1/playbooks/deliveries'>;
export type Delivery = DeliveryLog['deliveries'][number];
export type RetryAnswer = Post<'/api/v1/playbooks/deliveries/{id}/retry'>;
