/**
 * Zero-configuration reading of event names: what an event is, guessed from its name, for events
 * the catalogue does not configure.
 * Login-like events show presence, not use, so they never count as breadth or actions.
 */
export const LOGIN_LIKE =
  '(^|[^a-z])(log_?in|logged_?in|sign_?in|signed_?in|app_?open(ed)?|session_?start(ed)?|page_?view(ed)?|screen_?view(ed)?|identify)([^a-z]|$)';
// Whole words only (words split by anything but letters): "shareholder" is not a share and
// "debug" not a bug report.
export const COLLABORATION_LIKE =
  '(^|[^a-z])(invit(e|ed|es|ing)|shar(e|ed|es|ing)|collaborat[a-z]*|mention(ed|s)?)([^a-z]|$)';
export const FEEDBACK_LIKE =
  '(^|[^a-z])(feedback|bugs?|feature_?request(ed|s)?|survey_?answered|nps)([^a-z]|$)';
// Looking rather than doing: never a key action when no feature is tagged key_action.
export const VIEW_LIKE =
  '(^|[^a-z])(views?|viewed|viewing|open|opens|opened|opening|visit|visits|visited|visiting|seen|browse|browsed|browsing)([^a-z]|$)';
// Making the product do the work: building workflows, templates, automations, rules, schedules,
// or wiring it to other tools (integrations, the API, webhooks).
export const OPTIMIZATION_LIKE =
  '(^|[^a-z])(workflows?|templates?|automat[a-z]*|rules?|schedul[a-z]*|macros?|triggers?|recipes?|playbooks?|shortcuts?|bulk|batch|integrations?|integrated|api|apis|webhooks?)([^a-z]|$)';
