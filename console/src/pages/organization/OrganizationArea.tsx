/** Organization (/organization), loaded on first visit so the console's first load stays small. */
import { lazy, Suspense } from 'react';
import { Loading } from '../../components/ui.tsx';

const OrganizationPage = lazy(() => import('./OrganizationPage.tsx').then((m) => ({ default: m.OrganizationPage })));

export function OrganizationArea(_props: { path: string }) {
  return (
    <Suspense fallback={<Loading what="the organization" />}>
      <OrganizationPage />
    </Suspense>
  );
}
