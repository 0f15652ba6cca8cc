/** The Guardrails pages: list, create, detail, edit the DRAFT, compare versions, test. */
import { match, useQuery } from '../../app/router.ts';
import { ErrorBanner, Link, Loading, PageHeader, useLoad } from '../../components/ui.tsx';
import { getGuardrail, listVersions } from './api.ts';
import { GuardrailCompare } from './GuardrailCompare.tsx';
import { GuardrailDetail } from './GuardrailDetail.tsx';
import { GuardrailForm } from './GuardrailForm.tsx';
import { GuardrailList } from './GuardrailList.tsx';
import { TestPanel } from './TestPanel.tsx';
import './guardrails.css';

export function GuardrailsArea(props: { path: string }) {
  const path = props.path.replace(/\/+$/, '') || '/guardrails';
  if (path === '/guardrails') return <GuardrailList />;
  if (path === '/guardrails/new') return <GuardrailForm key="new" />;
  let m = match('/guardrails/:id/edit', path);
  if (m?.id) return <GuardrailForm key={`edit-${m.id}`} id={m.id} />;
  m = match('/guardrails/:id/compare', path);
  if (m?.id) return <GuardrailCompare key={m.id} id={m.id} />;
  m = match('/guardrails/:id/test', path);
  if (m?.id) return <TestPage key={m.id} id={m.id} />;
  m = match('/guardrails/:id', path);
  if (m?.id) return <GuardrailDetail key={m.id} id={m.id} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no console page at {path}. <Link to="/guardrails">Back to guardrails</Link>
      </p>
    </section>
  );
}

function TestPage(props: { id: string }) {
  const { id } = props;
  const initialVersion = useQuery().get('version') ?? undefined;
  const data = useLoad((signal) => Promise.all([getGuardrail(id, 'DRAFT', signal), listVersions(id, signal)]), [id]);
  if (data.loading && !data.data) return <Loading what="the guardrail" />;
  const [g, versions] = data.data ?? [];
  return (
    <section>
      <p className="gr-crumbs">
        <Link to="/guardrails">Guardrails</Link> / {g ? <Link to={`/guardrails/${encodeURIComponent(id)}`}>{g.name}</Link> : id} / Test
      </p>
      <PageHeader title={g ? `Test ${g.name}` : 'Test guardrail'} description="Runs ApplyGuardrail on your text with the version you pick, exactly as an application would." />
      <ErrorBanner error={data.error} />
      {versions && <TestPanel id={id} versions={versions.map((v) => v.version)} {...(initialVersion ? { initialVersion } : {})} />}
    </section>
  );
}
