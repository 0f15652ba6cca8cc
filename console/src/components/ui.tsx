/** The console's small set of shared building blocks: accessible by default (labels, roles, keyboard). */
import { Component, type ReactNode, useEffect, useId, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { BASE, navigate } from '../app/router.ts';

/** A link within the console: a plain click navigates in place (with `go`, by default `navigate`); a modified one is the browser's. */
export function Link(props: { to: string; children: ReactNode; className?: string; 'aria-current'?: 'page' | undefined; go?: (to: string) => void }) {
  return (
    <a
      href={`${BASE}${props.to}`}
      className={props.className}
      aria-current={props['aria-current']}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
        e.preventDefault();
        (props.go ?? navigate)(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

/** A labelled form control; `hint` and `error` are tied to it with aria-describedby. */
export function Field(props: { label: string; hint?: ReactNode; error?: string | undefined; children: (id: string, describedBy: string | undefined) => ReactNode }) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errId = props.error ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && (
        <div id={hintId} className="hint">
          {props.hint}
        </div>
      )}
      {props.error && (
        <div id={errId} className="field-error" role="alert">
          {props.error}
        </div>
      )}
    </div>
  );
}

export function TextInput(props: { label: string; value: string; onChange: (v: string) => void; hint?: ReactNode; error?: string | undefined; type?: string; required?: boolean; placeholder?: string; autoComplete?: string; name?: string }) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <input
          id={id}
          name={props.name}
          type={props.type ?? 'text'}
          value={props.value}
          required={props.required}
          placeholder={props.placeholder}
          autoComplete={props.autoComplete}
          aria-describedby={describedBy}
          aria-invalid={props.error ? true : undefined}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

export function TextArea(props: { label: string; value: string; onChange: (v: string) => void; hint?: ReactNode; error?: string | undefined; rows?: number; name?: string }) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <textarea id={id} name={props.name} rows={props.rows ?? 4} value={props.value} aria-describedby={describedBy} aria-invalid={props.error ? true : undefined} onChange={(e) => props.onChange(e.target.value)} />
      )}
    </Field>
  );
}

export function Select<T extends string>(props: { label: string; value: T; options: ReadonlyArray<readonly [T, string]>; onChange: (v: T) => void; hint?: ReactNode; name?: string; disabled?: boolean }) {
  return (
    <Field label={props.label} hint={props.hint}>
      {(id, describedBy) => (
        <select id={id} name={props.name} value={props.value} disabled={props.disabled} aria-describedby={describedBy} onChange={(e) => props.onChange(e.target.value as T)}>
          {props.options.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** The server's error, as it said it (type and message). */
export function ErrorBanner(props: { error: unknown; onDismiss?: () => void }) {
  if (!props.error) return null;
  const e = props.error;
  const type = e instanceof ApiError ? e.type : 'Error';
  const message = e instanceof Error ? e.message : String(e);
  return (
    <div className="banner banner-error" role="alert">
      <strong>{type}</strong>: {message}
      {props.onDismiss && (
        <button type="button" className="link" onClick={props.onDismiss} aria-label="Dismiss the error">
          ×
        </button>
      )}
    </div>
  );
}

export function Notice(props: { kind: 'info' | 'warning' | 'success'; children: ReactNode; title?: string }) {
  return (
    <div className={`banner banner-${props.kind}`} role={props.kind === 'warning' ? 'alert' : 'status'}>
      {props.title && <strong>{props.title} </strong>}
      {props.children}
    </div>
  );
}

/** Loads data for a page: `{data, error, loading, reload}`; a new `deps` value reloads. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, loading: false }),
      (error: unknown) => !ac.signal.aborted && setState({ error, loading: false }),
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function Loading(props: { what?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading{props.what ? ` ${props.what}` : ''}…
    </p>
  );
}

export function PageHeader(props: { title: string; children?: ReactNode; description?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.description && <p className="muted">{props.description}</p>}
      </div>
      {props.children && <div className="actions">{props.children}</div>}
    </header>
  );
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/**
 * Keeps a page that fails while rendering (an answer of an unexpected shape) from blanking the whole console:
 * the frame and navigation stay, and the page says what went wrong. The App keys it by navigation, so the
 * next visit starts afresh.
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, { error?: unknown }> {
  override state: { error?: unknown } = {};
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    if (this.state.error === undefined) return this.props.children;
    return (
      <section>
        <h1>This page could not be shown</h1>
        <ErrorBanner error={this.state.error} />
        <p>
          <button type="button" onClick={() => this.setState({ error: undefined })}>
            Try again
          </button>
        </p>
      </section>
    );
  }
}
