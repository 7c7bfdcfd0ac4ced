import { useState } from 'preact/hooks';
import { signInWithKey } from '../api.js';

/** Sign in with the project read key (or open the login link `powerlens serve` prints). */
export function Login({ onSignedIn, note }: { onSignedIn: () => void; note?: string | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  // A failed login link's reason arrives after the first render.
  const shown = error ?? note ?? null;
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signInWithKey(key.trim());
      onSignedIn();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>powerlens</h1>
      <p>
        Open the login link <code>powerlens serve</code> printed, or sign in with the project's read
        key (<code>powerlens projects create</code> shows it once).
      </p>
      <form onSubmit={submit}>
        <label for="key">Read key</label>
        <input
          id="key"
          type="password"
          autoComplete="off"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          required
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {shown && (
        <p class="state error" role="alert">
          {shown}
        </p>
      )}
    </main>
  );
}
