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
      .default(50)
      .describe(
        'At risk: a power user whose events in the last 7 days are at least this much (%) below their usual week (the 4 weeks before).',
      ),
    emerging_min_attainment: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe(
        'Emerging: not yet a power user, at least this close to the definition (attainment, 0..100; default 60).',
      ),
    emerging_min_score: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Former name of emerging_min_attainment, still read when that is not set.'),
    emerging_min_rise: z
      .number()
      .min(0)
      .max(100)
      .default(20)
      .describe(
        'Emerging: ... with attainment up at least this much (points of 0..100) over the last emerging_periods periods.',
      ),
    emerging_periods: z
      .number()
      .int()
      .min(1)
      .max(12)
      .default(3)
      .describe('Emerging: ... rising in each of this many periods in a row.'),
  })
  .strict();

export type LifecycleConfig = z.output<typeof LifecycleConfigSchema>;

/** The thresholds the lifecycle states are decided by, in the compiler's terms. */
export interface LifecycleRules {
  /**
   * A retained power user whose events in the last 7 days are at least this much (%) below their
   * own usual week: their events over the 4 weeks before, per week.
   */
  atRiskDropPercent: number;
  /** Not a power user, but at least this close to the definition (attainment, 0..100). */
  emergingMinAttainment: number;
  /** ... attainment up at least this many points (0..100) over the last `emergingPeriods`, */
  emergingMinRise: number;
  /** ... rising in each of them. */
  emergingPeriods: number;
}

export function lifecycleRules(c: LifecycleConfig): LifecycleRules {
  return {
    atRiskDropPercent: c.at_risk_drop_percent,
    emergingMinAttainment: c.emerging_min_attainment ?? c.emerging_min_score ?? 60,
    emergingMinRise: c.emerging_min_rise,
    emergingPeriods: c.emerging_periods,
  };
}
