/**
 * The demo product's event names. Tests, docs and default definitions refer to these constants so
 * a renamed event cannot silently drift between the generator and what analyses expect.
 */
export const LOGIN_EVENTS = ['login', 'app_opened'] as const;
export const TRIVIAL_EVENTS = ['dashboard_viewed'] as const;
export const CORE_EVENTS = [
  'report_viewed',
  'report_created',
  'chart_edited',
  'filter_applied',
  'search_performed',
  'comment_added',
  'project_created',
  'task_completed',
  'file_uploaded',
] as const;
export const KEY_ACTION_EVENTS = ['report_exported', 'project_completed'] as const;
/** What optimizers build; a subset of the advanced events. */
export const OPTIMIZER_EVENTS = [
  'automation_created',
  'template_created',
  'workflow_built',
] as const;
export const ADVANCED_EVENTS = [
  ...OPTIMIZER_EVENTS,
  'api_key_created',
  'sql_query_run',
  'integration_connected',
  'custom_field_added',
] as const;
export const AI_ASSISTANT_EVENT = 'ai_assistant_used';
export const BETA_FEATURE_EVENT = 'beta_feature_enabled';
export const NEW_FEATURE_EVENTS = [AI_ASSISTANT_EVENT, BETA_FEATURE_EVENT] as const;
export const COLLABORATION_EVENTS = [
  'teammate_invited',
  'dashboard_shared',
  'workspace_shared',
] as const;
export const FEEDBACK_EVENTS = ['feature_requested', 'bug_reported'] as const;
/** Marketing-site visits before sign-up, recorded under an anonymous id only. */
export const ANONYMOUS_EVENTS = ['page_viewed'] as const;

export const ALL_EVENTS = [
  ...LOGIN_EVENTS,
  ...TRIVIAL_EVENTS,
  ...CORE_EVENTS,
  ...KEY_ACTION_EVENTS,
  ...ADVANCED_EVENTS,
  ...NEW_FEATURE_EVENTS,
  ...COLLABORATION_EVENTS,
  ...FEEDBACK_EVENTS,
  ...ANONYMOUS_EVENTS,
] as const;

export type EventName = (typeof ALL_EVENTS)[number];

/** `ai_assistant_used` is released this many days before `end`; nobody uses it earlier. */
export const AI_ASSISTANT_RELEASE_DAYS_BEFORE_END = 21;
