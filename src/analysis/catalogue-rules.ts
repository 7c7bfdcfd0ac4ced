/**
 * Zero-configuration reading of event names, until the feature catalogue is configurable.
 * Login-like events show presence, not use, so they never count as breadth or actions.
 */
export const LOGIN_LIKE =
  '(^|[^a-z])(log_?in|logged_?in|sign_?in|signed_?in|app_?open(ed)?|session_?start(ed)?|page_?view(ed)?|screen_?view(ed)?|identify)([^a-z]|$)';
export const COLLABORATION_LIKE = '(invite|invited|share|shared|collaborat|mention)';
export const FEEDBACK_LIKE = '(feedback|bug|feature_?request|survey_?answered|nps)';
/** An event used by fewer than this share of active users is an advanced feature. */
export const ADVANCED_SHARE = 0.2;
