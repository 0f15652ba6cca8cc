/** The Audit trail (/audit, /audit/records/:seq) and Monitoring (/monitoring) pages. */
import { match } from '../../app/router.ts';
import { Link } from '../../components/ui.tsx';
import { AuditTrail } from './AuditTrail.tsx';
import { Monitoring } from './Monitoring.tsx';
import { RecordView } from './RecordView.tsx';
import './audit.css';

export function AuditArea(props: { path: string }) {
  const path = props.path.replace(/\/+$/, '') || '/';
  if (path === '/monitoring') return <Monitoring />;
  if (path === '/audit') return <AuditTrail />;
  const rec = match('/audit/records/:seq', path);
  if (rec && /^[1-9]\d{0,14}$/.test(rec.seq ?? '')) return <RecordView key={rec.seq} seq={Number(rec.seq)} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no console page at {props.path}. <Link to="/audit">Go to the audit trail</Link>.
      </p>
    </section>
  );
}
