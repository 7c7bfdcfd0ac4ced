import { createHash } from 'node:crypto';
import { type Playbook, PlaybookSchema } from '../../src/model/playbook.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';

/** A became_power_user playbook with one webhook action per path under `base`. */
export function webhookPlaybook(
  base: string,
  paths: string[],
  extra: { secret_env?: string; timeout_seconds?: number; limits?: object } = {},
): Playbook {
  return PlaybookSchema.parse({
    trigger: { on: 'became_power_user' },
    actions: paths.map((p) => ({
      webhook: {
        url: `${base}${p}`,
        secret_env: extra.secret_env ?? 'HOOK_SECRET',
        ...(extra.timeout_seconds ? { timeout_seconds: extra.timeout_seconds } : {}),
      },
    })),
    ...(extra.limits ? { limits: extra.limits } : {}),
  });
}

/** A user's became_power_user occurrence, its id from project, playbook, subject and period. */
export function sampleOccurrence(
  project: string,
  playbookName: string,
  subject: string,
  period = '2031-03-02',
): Occurrence {
  return {
    occurrence_id: createHash('sha256')
      .update([project, playbookName, 'became_power_user', subject, period].join('\n'))
      .digest('hex'),
    project_id: project,
    playbook: playbookName,
    trigger: 'became_power_user',
    subject_type: 'user',
    subject_id: subject,
    account_id: `acct_${subject}`,
    period_start: period,
    explanation: `${subject} became a power user`,
    data: { score: 91.5, state: 'power', segments: ['advocate'] },
  };
}
