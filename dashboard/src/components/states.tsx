import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** A request's state: loading, its data, or what went wrong. */
export function useApi<T>(
  load: () => Promise<T>,
  deps: unknown[],
): {
  data: T | null;
  error: string | null;
  loading: boolean;
} {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (err: unknown) =>
        live &&
        setState({
          data: null,
          error: err instanceof Error ? err.message : String(err),
          loading: false,
        }),
    );
    return () => {
      live = false;
    };
    // The caller names what the request depends on.
  }, deps);
  return state;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorBox({ message }: { message: string }) {
  return (
    <p class="state error" role="alert">
      {message}
    </p>
  );
}

/**
 * Warnings beside a verdict or a definition: it still runs, but may mislead (a definition met on
 * frequency alone, a criterion the data's history cannot support).
 */
export function Warnings({ warnings }: { warnings: readonly { kind: string; message: string }[] }) {
  if (warnings.length === 0) return null;
  return (
    <ul class="warnings" data-testid="warnings">
      {warnings.map((w) => (
        <li key={w.message} class={`warning ${w.kind}`}>
          {w.message}
        </li>
      ))}
    </ul>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state empty">{children}</p>;
}

/** Renders loading, error or empty states around a request's data. */
export function Loaded<T>({
  state,
  what,
  children,
}: {
  state: { data: T | null; error: string | null; loading: boolean };
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  if (state.error) return <ErrorBox message={state.error} />;
  if (state.loading || state.data === null) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}
