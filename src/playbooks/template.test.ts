import { describe, expect, it } from 'vitest';
import type { Occurrence } from './occurrence.js';
import { renderTemplate, type TemplateContext } from './template.js';

const occurrence = (data: Occurrence['data'], over: Partial<Occurrence> = {}): Occurrence => ({
  occurrence_id: 'o1',
  project_id: 'default',
  playbook: 'p',
  trigger: 'mastered_feature',
  subject_type: 'user',
  subject_id: 'ada',
  account_id: 'acme',
  period_start: '2026-10-26',
  explanation: 'mastered <reports>',
  data,
  ...over,
});
const ctx = (o: Occurrence): TemplateContext => ({
  occurrence: o,
  link: 'https://pl.example/#/users/ada',
  user: { email: 'ada@acme.test', name: 'Ada', traits: { role: 'analyst' } },
  account: undefined,
});

describe('playbook templates', () => {
  it('fill feature, segment and signal from what fired, empty where the trigger has none', () => {
    const mastered = ctx(occurrence({ feature: 'report_exported', segments: ['advocate'] }));
    expect(renderTemplate('{{user.name}} mastered {{feature}} ({{segment}})', mastered)).toBe(
      'Ada mastered report_exported (advocate)',
    );
    const joined = ctx(
      occurrence(
        { segment: 'optimizer', segments: ['advocate', 'optimizer'] },
        { trigger: 'joined_segment' },
      ),
    );
    expect(renderTemplate('{{segment}}|{{feature}}|{{signal}}', joined)).toBe('optimizer||');
    const account = ctx(
      occurrence(
        { signal: 'champion_silent' },
        { trigger: 'account_signal', subject_type: 'account', subject_id: 'acme' },
      ),
    );
    expect(renderTemplate('{{signal}} at {{account_id}}', account)).toBe('champion_silent at acme');
  });

  it('escape the values, not the template, in HTML', () => {
    const o = ctx(occurrence({ feature: 'a<b' }));
    expect(renderTemplate('<p>{{explanation}}: {{feature}}</p>', o, { html: true })).toBe(
      '<p>mastered &lt;reports&gt;: a&lt;b</p>',
    );
  });
});
