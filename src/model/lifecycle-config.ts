import { z } from 'zod';
import { PERIOD_KINDS, type PeriodKind } from '../time/periods.js';

/** `lifecycle:` in powerlens.yaml: the snapshot period and what makes at risk and emerging. */
export const LifecycleConfigSchema = z
  .object({
    period: z
      .enum(PERIOD_KINDS as [PeriodKind, ...PeriodKind[]])
      .default('week')
      .describe('Snapshots and lifecycle per day, week (Monday to Sunday) or month.'),
    at_risk_drop_percent: z
      .number()
      .gt(0)
      .max(100)
      .default(40)
      .describe(
        "At risk: a power user whose window's events fell this much (%) on the window before.",
      ),
    emerging_min_score: z
      .number()
      .min(0)
      .max(100)
      .default(60)
      .describe('Emerging: not yet a power user, with at least this score (0..100).'),
    emerging_min_rise: z
      .number()
      .min(0)
      .max(100)
      .default(5)
      .describe('Emerging: ... and a score up at least this much on the period before.'),
  })
  .strict();

export type LifecycleConfig = z.output<typeof LifecycleConfigSchema>;

/** The thresholds the lifecycle states are decided by, in the compiler's terms. */
export interface LifecycleRules {
  /** A power user whose window's events fell at least this much (%) on the window before. */
  atRiskDropPercent: number;
  /** Not a power user, but with at least this score (mean attainment of the criteria, 0..100). */
  emergingMinScore: number;
  /** ... and a score up at least this much on the period before (or first seen, rising). */
  emergingMinRise: number;
}

export function lifecycleRules(c: LifecycleConfig): LifecycleRules {
  return {
    atRiskDropPercent: c.at_risk_drop_percent,
    emergingMinScore: c.emerging_min_score,
    emergingMinRise: c.emerging_min_rise,
  };
}
