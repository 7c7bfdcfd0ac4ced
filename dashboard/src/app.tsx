import { useEffect, useState } from 'preact/hooks';
import { auth, redeemLoginCode } from './api.js';
import { Accounts } from './pages/accounts.js';
import { Data } from './pages/data.js';
import { DefinitionEditor } from './pages/definition.js';
import { Login } from './pages/login.js';
import { Overview } from './pages/overview.js';
import { Playbooks } from './pages/playbooks.js';
import { UserPage } from './pages/user.js';
import { Users } from './pages/users.js';

const PAGES = [
  { path: '#/overview', label: 'Overview' },
  { path: '#/users', label: 'Users' },
  { path: '#/accounts', label: 'Accounts' },
  { path: '#/definition', label: 'Definition' },
  { path: '#/playbooks', label: 'Playbooks' },
  { path: '#/data', label: 'Data' },
];

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/overview');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/overview');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

export function App() {
  const [signedIn, setSignedIn] = useState(auth.get() !== null);
  const [note, setNote] = useState<string | null>(null);
  const hash = useHash();
  useEffect(() => {
    // serve's login link carries a one-time code in the fragment: traded for a session, then
    // dropped from the address bar and the history.
    const code = /^#login=([\w-]+)$/.exec(location.hash)?.[1];
    if (code) {
      history.replaceState(null, '', `${location.pathname}#/overview`);
      redeemLoginCode(code).then(
        () => setSignedIn(true),
        (e: unknown) => setNote(e instanceof Error ? e.message : String(e)),
      );
    }
    const out = () => setSignedIn(false);
    window.addEventListener('powerlens:signed-out', out);
    return () => window.removeEventListener('powerlens:signed-out', out);
  }, []);
  if (!signedIn) return <Login onSignedIn={() => setSignedIn(true)} note={note} />;
  const user = /^#\/users\/(.+)$/.exec(hash)?.[1];
  let page = <Overview />;
  if (user) page = <UserPage userId={decodeURIComponent(user)} />;
  else if (hash.startsWith('#/users')) page = <Users />;
  else if (hash.startsWith('#/accounts')) page = <Accounts />;
  else if (hash.startsWith('#/definition')) page = <DefinitionEditor />;
  else if (hash.startsWith('#/playbooks')) page = <Playbooks />;
  else if (hash.startsWith('#/data')) page = <Data />;
  return (
    <>
      <header>
        <a class="brand" href="#/overview">
          powerlens
        </a>
        <nav aria-label="main">
          {PAGES.map((p) => (
            <a
              key={p.path}
              href={p.path}
              aria-current={hash.startsWith(p.path) ? 'page' : undefined}
            >
              {p.label}
            </a>
          ))}
        </nav>
        <button
          type="button"
          class="link"
          onClick={() => {
            auth.clear();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main>{page}</main>
    </>
  );
}
