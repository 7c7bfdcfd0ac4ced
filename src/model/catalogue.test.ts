import { describe, expect, it } from 'vitest';
import { COLLABORATION_LIKE, FEEDBACK_LIKE, LOGIN_LIKE } from '../analysis/catalogue-rules.js';
import { globToLike, literalGlob } from './catalogue.js';

describe('event-name globs', () => {
  it('turn * and ? into LIKE wildcards and escape LIKE’s own', () => {
    expect(globToLike('report_*')).toBe('report\\_%');
    expect(globToLike('x?y%')).toBe('x_y\\%');
  });

  it('take a backslash as "the next character is literal", so any event name can be written', () => {
    expect(globToLike('what\\?')).toBe('what?');
    for (const name of ['what?', 'a*b', 'back\\slash', 'plain_name']) {
      // A LIKE pattern without wildcards matches exactly the name once unescaped.
      const like = globToLike(literalGlob(name));
      expect(like.replace(/\\(.)/g, '$1')).toBe(name);
      expect(like).not.toMatch(/(^|[^\\])[%_]/);
    }
  });
});

describe('zero-config name patterns', () => {
  const is = (pattern: string, name: string) => new RegExp(pattern).test(name);
  it('tag whole words only', () => {
    expect(is(COLLABORATION_LIKE, 'teammate_invited')).toBe(true);
    expect(is(COLLABORATION_LIKE, 'dashboard_shared')).toBe(true);
    expect(is(COLLABORATION_LIKE, 'shareholder_report_viewed')).toBe(false);
    expect(is(FEEDBACK_LIKE, 'bug_reported')).toBe(true);
    expect(is(FEEDBACK_LIKE, 'feature_requested')).toBe(true);
    expect(is(FEEDBACK_LIKE, 'debug_mode_enabled')).toBe(false);
    expect(is(LOGIN_LIKE, 'user_logged_in')).toBe(true);
    expect(is(LOGIN_LIKE, 'blogin_post')).toBe(false);
  });
});
