import { z } from 'zod';
import { definitionSummaries } from '../../analysis/definition-summaries.js';
import { runAnalysis } from '../../analysis/run-analysis.js';
import { type Config, configForProject } from '../../model/config.js';
import { DefinitionSchema } from '../../model/definition.js';
import {
  DefinitionError,
  definitionInputs,
  resolveDefinition,
} from '../../model/resolve-definition.js';
import { setConfigKey } from '../../model/write-config.js';
import { WhatIfAnswer, WrittenDefinition } from './answer-schemas.js';
import {
  PROBLEMS as problems,
  type RouteContext,
  requestAsOf,
  type ZodApi,
} from './api-context.js';
import { DefinitionSummary, Loose, NameParams, WhatIfBody } from './api-schemas.js';
import { ProblemError } from './problem.js';

/** Definitions (read, and written into the config) and the what-if. */
export function registerDefinitionRoutes(api: ZodApi, rc: RouteContext): void {
  registerDefinitionReads(api, rc);
  registerDefinitionWrite(api, rc);
  registerWhatIf(api, rc);
}

/** The summary of the definition `name`, as the routes answer it. */
const summaryOf = (config: Config, name: string) =>
  definitionSummaries(config).find((s) => s.name === name) as z.input<typeof DefinitionSummary>;

/** GET /api/v1/definitions and /api/v1/definitions/:name: the definitions, in plain words. */
function registerDefinitionReads(api: ZodApi, { ctx }: RouteContext): void {
  api.get(
    '/api/v1/definitions',
    {
      schema: {
        summary: 'Every definition, in plain words',
        response: { 200: z.object({ definitions: z.array(DefinitionSummary) }), ...problems },
      },
    },
    async (req) => ({ definitions: definitionSummaries(ctx(req).config) }),
  );

  api.get(
    '/api/v1/definitions/:name',
    {
      schema: {
        summary: 'One definition as written in the config, and in plain words',
        params: NameParams,
        response: {
          200: z.object({ summary: DefinitionSummary, definition: WrittenDefinition }),
          ...problems,
        },
      },
    },
    async (req) => {
      const { config } = ctx(req);
      const inputs = definitionInputs(config);
      const input = Object.hasOwn(inputs, req.params.name) ? inputs[req.params.name] : undefined;
      if (!input)
        throw new DefinitionError(
          `no definition "${req.params.name}" (definitions live under definitions: in the config)`,
        );
      return { summary: summaryOf(config, req.params.name), definition: input };
    },
  );
}

/** PUT /api/v1/definitions/:name: a definition checked, then saved into the config file. */
function registerDefinitionWrite(api: ZodApi, { options }: RouteContext): void {
  api.put(
    '/api/v1/definitions/:name',
    {
      schema: {
        summary: 'Create or replace a definition; saved into the config file, with precise errors',
        params: NameParams,
        body: Loose.describe(
          'A definition: window_days, and rule: or score: (docs/definition.md).',
        ),
        response: { 200: z.object({ summary: DefinitionSummary }), ...problems },
      },
    },
    async (req) => {
      const parsed = DefinitionSchema.safeParse(req.body);
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({
          path: i.path.join('.'),
          message: i.message,
        }));
        throw new ProblemError(
          400,
          'Invalid definition',
          errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; '),
          errors,
        );
      }
      if (!options.configFile) {
        throw new ProblemError(
          400,
          'No config file',
          'serve was started without a config file to write definitions into: pass --config FILE',
        );
      }
      // Under the project's own key: a definition belongs to the project that wrote it.
      const next = setConfigKey(
        options.configFile,
        ['projects', req.projectId, 'definitions', req.params.name],
        req.body,
      );
      options.onConfigChange?.(next);
      return { summary: summaryOf(configForProject(next, req.projectId), req.params.name) };
    },
  );
}

/** POST /api/v1/what-if: a changed definition against the one it changes. */
function registerWhatIf(api: ZodApi, { engine, ctx, inTurn }: RouteContext): void {
  api.post(
    '/api/v1/what-if',
    {
      schema: {
        summary: 'A changed definition: the new counts, and who would enter or leave',
        body: WhatIfBody,
        response: { 200: WhatIfAnswer, ...problems },
      },
    },
    async (req) => {
      const { config, projectId, segments } = ctx(req);
      const b = req.body;
      const baseline = resolveDefinition(config, { name: b.definition, windowDays: b.window });
      const changed = resolveDefinition(config, {
        name: b.definition,
        windowDays: b.window,
        set: b.set,
      });
      const report = await inTurn(async () =>
        runAnalysis(engine, {
          projectId,
          definition: changed,
          baseline,
          asOf: await requestAsOf(engine, projectId, b.as_of),
          catalogue: config.catalogue,
          segments,
        }),
      );
      // With a baseline, the analysis always compares the two scorings.
      if (!report.what_if) throw new Error('the what-if comparison is missing from the analysis');
      return { totals: report.totals, what_if: report.what_if };
    },
  );
}
