import { useEffect, useMemo, useState } from 'preact/hooks';
import { getJson, sendJson } from '../api.js';
import { ErrorBox, Loaded, useApi, Warnings } from '../components/states.js';
import { int } from '../format.js';
import type {
  DefinitionAnswer,
  DefinitionList,
  RuleInput,
  WhatIfAnswer as WhatIf,
} from '../types.js';

interface Criterion {
  id: string;
  signal: string;
  op: 'min' | 'max' | 'top_percent' | 'min_share';
  value: number;
}

const OPS = ['min', 'max', 'top_percent', 'min_share'] as const;

function criteriaOf(node: RuleInput | undefined): Criterion[] {
  if (!node) return [];
  if (node.signal) {
    const op = OPS.find((k) => node[k] !== undefined) ?? 'min';
    return [{ id: node.id ?? node.signal, signal: node.signal, op, value: node[op] ?? 0 }];
  }
  return [...(node.all ?? []), ...(node.any ?? []), ...(node.of ?? [])].flatMap(criteriaOf);
}

/** The rule with each criterion's threshold replaced by the edited one. */
function withValues(node: RuleInput, values: Record<string, number>): RuleInput {
  if (node.signal) {
    const c = criteriaOf(node)[0] as Criterion;
    const v = values[c.id];
    return v === undefined ? node : { ...node, [c.op]: v };
  }
  const map = (xs?: RuleInput[]) => xs?.map((x) => withValues(x, values));
  return { ...node, all: map(node.all), any: map(node.any), of: map(node.of) };
}

function Editor({ name }: { name: string }) {
  const state = useApi(() => getJson<DefinitionAnswer>(`/definitions/${name}`), [name]);
  const [values, setValues] = useState<Record<string, number>>({});
  const [preview, setPreview] = useState<WhatIf | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const criteria = useMemo(() => criteriaOf(state.data?.definition.rule), [state.data]);
  const changes = Object.entries(values).filter(
    ([id, v]) => criteria.find((c) => c.id === id)?.value !== v,
  );
  const set = changes.map(([id, v]) => `${id}.${criteria.find((c) => c.id === id)?.op}=${v}`);
  const key = set.join('&');
  useEffect(() => {
    if (set.length === 0) {
      setPreview(null);
      return;
    }
    const timer = setTimeout(() => {
      sendJson<WhatIf>('POST', '/what-if', { definition: name, set }).then(
        (r) => {
          setPreview(r);
          setError(null);
        },
        (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
      );
    }, 300);
    return () => clearTimeout(timer);
    // The changes are in `key`.
  }, [key, name]);
  const save = async () => {
    const d = state.data?.definition;
    if (!d?.rule) return;
    try {
      await sendJson('PUT', `/definitions/${name}`, { ...d, rule: withValues(d.rule, values) });
      setSaved(`Saved “${name}” to the config file.`);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Loaded state={state} what={`definition ${name}`}>
      {(d) =>
        d.summary.kind !== 'rule' ? (
          <>
            <p>{d.summary.text} (composite definitions are edited in the config file).</p>
            <Warnings warnings={d.summary.warnings} />
          </>
        ) : (
          <>
            <p class="muted">{d.summary.text}</p>
            <Warnings warnings={d.summary.warnings} />
            <form class="editor" onSubmit={(e) => e.preventDefault()}>
              {criteria.map((c) => (
                <label key={c.id}>
                  {c.id}{' '}
                  <span class="muted">
                    ({c.signal}, {c.op.replace('_', ' ')})
                  </span>
                  <input
                    type="number"
                    step="any"
                    data-testid={`threshold-${c.id}`}
                    value={values[c.id] ?? c.value}
                    onInput={(e) => {
                      const v = Number((e.target as HTMLInputElement).value);
                      if (Number.isFinite(v)) setValues({ ...values, [c.id]: v });
                    }}
                  />
                </label>
              ))}
            </form>
            <div aria-live="polite" data-testid="what-if">
              {preview ? (
                <>
                  <p>
                    <strong data-testid="what-if-count">
                      {int(preview.what_if.after.power_users)}
                    </strong>{' '}
                    power users would qualify (now {int(preview.what_if.before.power_users)}):{' '}
                    {int(preview.what_if.entering)} enter, {int(preview.what_if.leaving)} leave.
                  </p>
                  {preview.what_if.entering_users.length > 0 && (
                    <p class="muted">Entering: {preview.what_if.entering_users.join(', ')}</p>
                  )}
                  {preview.what_if.leaving_users.length > 0 && (
                    <p class="muted">Leaving: {preview.what_if.leaving_users.join(', ')}</p>
                  )}
                </>
              ) : (
                <p class="muted">Change a threshold to see who would qualify.</p>
              )}
            </div>
            {error && <ErrorBox message={error} />}
            <button type="button" onClick={save} disabled={changes.length === 0}>
              Save
            </button>
            {saved && <p role="status">{saved}</p>}
          </>
        )
      }
    </Loaded>
  );
}

export function DefinitionEditor() {
  const list = useApi(() => getJson<DefinitionList>('/definitions'), []);
  const [name, setName] = useState<string | null>(null);
  return (
    <section>
      <h1>Definition</h1>
      <Loaded state={list} what="definitions">
        {(l) => {
          const current = name ?? l.definitions.find((d) => d.is_default)?.name ?? 'default';
          return (
            <>
              <label>
                Definition{' '}
                <select
                  value={current}
                  onChange={(e) => setName((e.target as HTMLSelectElement).value)}
                >
                  {l.definitions.map((d) => (
                    <option key={d.name} value={d.name}>
                      {d.name}
                    </option>
                  ))}
                </select>
              </label>
              <Editor name={current} key={current} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
