/** Session state and the page for the current path. */
import { Fragment, lazy, Suspense, useEffect, useState } from 'react';
import { getSession, onSessionChanged, onSessionExpired, type Session, setSession } from '../api/client.ts';
import { Loading, PageErrorBoundary } from '../components/ui.tsx';
import { SignIn } from '../pages/SignIn.tsx';
import { Layout } from './Layout.tsx';
import { navigate, useLocation } from './router.ts';

// Each area is its own chunk, loaded on first visit: the first load stays small (README, "Web console").
const AuditArea = lazy(() => import('../pages/audit/AuditArea.tsx').then((m) => ({ default: m.AuditArea })));
const GuardrailsArea = lazy(() => import('../pages/guardrails/GuardrailsArea.tsx').then((m) => ({ default: m.GuardrailsArea })));
const OrganizationArea = lazy(() => import('../pages/organization/OrganizationArea.tsx').then((m) => ({ default: m.OrganizationArea })));
const PlaygroundArea = lazy(() => import('../pages/playground/PlaygroundArea.tsx').then((m) => ({ default: m.PlaygroundArea })));
const SafeguardsArea = lazy(() => import('../pages/safeguards/SafeguardsArea.tsx').then((m) => ({ default: m.SafeguardsArea })));

export function App() {
  const [session, setState] = useState<Session | undefined | 'loading'>('loading');
  const [expired, setExpired] = useState(false);
  const { path, visit } = useLocation();

  useEffect(() => {
    getSession().then(
      (s) => {
        setSession(s);
        setState(s);
      },
      () => setState(undefined),
    );
    const offChanged = onSessionChanged(setState);
    const offExpired = onSessionExpired(() => {
      setSession(undefined);
      setState(undefined);
      setExpired(true);
    });
    return () => {
      offChanged();
      offExpired();
    };
  }, []);

  if (session === 'loading') return <Loading what="the console" />;
  if (!session)
    return (
      <SignIn
        expired={expired}
        onSignedIn={(s) => {
          setSession(s);
          setExpired(false);
          setState(s);
          if (path === '/' || path === '') navigate('/guardrails', { replace: true });
        }}
      />
    );

  return (
    <Layout session={session} path={path} onSignedOut={() => setState(undefined)} onSession={setState}>
      {/* A new navigation, or a switch of role, loads the page afresh. */}
      <Fragment key={`${visit}:${session.accessKeyId}`}>
        <PageErrorBoundary>
          <Suspense fallback={<Loading what="the page" />}>{page(path)}</Suspense>
        </PageErrorBoundary>
      </Fragment>
    </Layout>
  );
}

function page(path: string) {
  const top = path.split('/')[1] ?? '';
  switch (top) {
    case '':
    case 'guardrails':
      return <GuardrailsArea path={path === '/' ? '/guardrails' : path} />;
    case 'safeguards':
      return <SafeguardsArea path={path} />;
    case 'organization':
      return <OrganizationArea path={path} />;
    case 'audit':
    case 'monitoring':
      return <AuditArea path={path} />;
    case 'playground':
      return <PlaygroundArea path={path} />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>There is no console page at {path}.</p>
        </section>
      );
  }
}
