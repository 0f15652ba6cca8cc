/** The frame of every signed-in page: navigation, who is signed in, the Region, sign-out. */
import { type ReactNode, useEffect, useState } from 'react';
import { currentRegion, type Session, setRegion, signOut, switchBack, switchRole } from '../api/client.ts';
import { ErrorBanner, Link } from '../components/ui.tsx';

const NAV: ReadonlyArray<readonly [string, string]> = [
  ['/guardrails', 'Guardrails'],
  ['/safeguards', 'Cross-account safeguards'],
  ['/organization', 'Organization'],
  ['/audit', 'Audit trail'],
  ['/monitoring', 'Monitoring'],
  ['/playground', 'Playground'],
];

export function Layout(props: { session: Session; path: string; onSignedOut: () => void; onSession: (s: Session) => void; children: ReactNode }) {
  const [region, setR] = useState(currentRegion() || props.session.region);
  const [regionKey, setRegionKey] = useState(0);
  const [account, setAccount] = useState('');
  const [frameError, setFrameError] = useState<unknown>();
  const changed = (s: Session) => {
    setFrameError(undefined);
    setAccount('');
    props.onSession(s);
    setRegionKey((k) => k + 1);
  };
  useEffect(() => {
    const title = NAV.find(([p]) => props.path.startsWith(p))?.[1] ?? 'Guardrails';
    document.title = `${title} · Parapet console`;
  }, [props.path]);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand" aria-label="Parapet">
          ▥ Parapet
        </span>
        <div className="who" aria-label="Signed in as">
          <span title={props.session.principalArn}>{props.session.principalArn}</span>
          <span className="muted"> · account {props.session.accountId}</span>
        </div>
        <form
          className="region"
          onSubmit={(e) => {
            e.preventDefault();
            setRegion(region.trim());
            setRegionKey((k) => k + 1);
          }}
        >
          <label htmlFor="region">Region</label>
          <input id="region" value={region} size={12} onChange={(e) => setR(e.target.value)} />
          <button type="submit">Switch</button>
        </form>
        {props.session.switchedRole ? (
          <button type="button" onClick={() => switchBack().then(changed, setFrameError)}>
            Switch back
          </button>
        ) : (
          <form
            className="region"
            onSubmit={(e) => {
              e.preventDefault();
              switchRole(account.trim()).then(changed, setFrameError);
            }}
          >
            <label htmlFor="switch-account">Act in account</label>
            <input id="switch-account" value={account} size={12} inputMode="numeric" pattern="\d{12}" title="a 12-digit account id" placeholder="123456789012" onChange={(e) => setAccount(e.target.value)} />
            <button type="submit" disabled={!/^\d{12}$/.test(account.trim())}>
              Switch role
            </button>
          </form>
        )}
        <button type="button" onClick={() => signOut().then(props.onSignedOut, setFrameError)}>
          Sign out
        </button>
      </header>

      <nav className="sidenav" aria-label="Console sections">
        <ul>
          {NAV.map(([to, label]) => (
            <li key={to}>
              <Link to={to} aria-current={props.path.startsWith(to) || (to === '/guardrails' && props.path === '/') ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" key={regionKey} tabIndex={-1}>
        {frameError !== undefined && <ErrorBanner error={frameError} onDismiss={() => setFrameError(undefined)} />}
        {props.children}
      </main>
    </div>
  );
}
