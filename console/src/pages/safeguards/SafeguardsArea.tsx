/** Cross-account safeguards (/safeguards), loaded on first visit so the console's first load stays small. */
import { lazy, Suspense } from 'react';
import { Loading } from '../../components/ui.tsx';

const SafeguardsPages = lazy(() => import('./SafeguardsPages.tsx').then((m) => ({ default: m.SafeguardsPages })));

export function SafeguardsArea(props: { path: string }) {
  return (
    <Suspense fallback={<Loading what="Cross-account safeguards" />}>
      <SafeguardsPages path={props.path} />
    </Suspense>
  );
}
