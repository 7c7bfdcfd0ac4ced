import type { DefinitionInput } from './definition.js';

/**
 * The default power-user definition (docs/definition.md), written like any other: several
 * signals, never one. Frequency and breadth are required (a daily user doing one trivial thing is not a power user), plus at
 * least one of depth, collaboration or consistency. A config file may replace it by defining
 * `definitions.default`.
 */
export const DEFAULT_DEFINITION: DefinitionInput = {
  description:
    'Active on two thirds of the days, uses 5+ core or 2+ advanced features, and goes deep, collaborates or keeps coming back.',
  window_days: 30,
  rule: {
    all: [
      {
        id: 'frequency',
        label: 'active on at least two thirds of the days',
        signal: 'days_active',
        min_share: 2 / 3,
      },
      {
        id: 'breadth',
        label: 'uses 5+ core or 2+ advanced features',
        any: [
          { signal: 'core_features', min: 5 },
          { signal: 'advanced_features', min: 2 },
        ],
      },
      {
        id: 'habit',
        label: 'and at least one of depth, collaboration, consistency',
        at_least: 1,
        of: [
          {
            id: 'depth',
            label: 'key actions in the top 20% of active users',
            signal: 'key_actions',
            top_percent: 20,
          },
          {
            id: 'collaboration',
            label: 'invited or shared 3+ times',
            signal: 'collaboration',
            min: 3,
          },
          {
            id: 'consistency',
            label: 'active in 10+ of the last 13 weeks',
            signal: 'active_weeks',
            min: 10,
          },
        ],
      },
    ],
  },
};
