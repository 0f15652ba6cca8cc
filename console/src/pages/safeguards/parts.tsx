/** Page parts the safeguards forms and the overview share: the way back, a failed load, the save bar, delete confirmation. */
import { type ReactNode, useRef, useState } from 'react';
import { navigate } from '../../app/router.ts';
import { ErrorBanner, Link, PageHeader } from '../../components/ui.tsx';

export const OVERVIEW = '/safeguards';

export function BackLink() {
  return <Link to={OVERVIEW}>Back to Cross-account safeguards</Link>;
}

/** A page whose data could not be loaded: its title, the server's error, the way back. */
export function LoadFailed(props: { title: string; error: unknown }) {
  return (
    <section>
      <PageHeader title={props.title} />
      <ErrorBanner error={props.error} />
      <BackLink />
    </section>
  );
}

/**
 * The save protocol of the safeguards forms: a submit the browser refuses moves the focus to the first field
 * marked invalid (once the messages have rendered); an accepted one runs `work` with the form busy, and keeps the
 * server's refusal to show.
 */
export function useSaveForm() {
  const ref = useRef<HTMLFormElement>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const save = async (valid: boolean, work: () => Promise<void>) => {
    setError(undefined);
    if (!valid) {
      setTimeout(() => ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    setSaving(true);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };
  return { ref, saving, error, dismissError: () => setError(undefined), save };
}

/** A safeguards form page: title, the way back, the form, and at its end the server's refusal, submit and Cancel. */
export function FormPage(props: { title: string; description: ReactNode; form: ReturnType<typeof useSaveForm>; onSubmit: () => void; submitLabel: string; children: ReactNode }) {
  const { form } = props;
  return (
    <section>
      <PageHeader title={props.title} description={props.description}>
        <BackLink />
      </PageHeader>
      <form
        ref={form.ref}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit();
        }}
      >
        {props.children}
        <ErrorBanner error={form.error} onDismiss={form.dismissError} />
        <div className="actions">
          <button type="submit" className="primary" disabled={form.saving}>
            {form.saving ? 'Saving…' : props.submitLabel}
          </button>
          <button type="button" onClick={() => navigate(OVERVIEW)}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

/** Asks before deleting: the question, the delete button (named for what it deletes) and Cancel. */
export function ConfirmDelete(props: { label: string; question: ReactNode; confirm: string; busy: boolean; onConfirm: () => void; onCancel: () => void; inline?: boolean }) {
  const Tag = props.inline ? 'span' : 'div';
  return (
    <Tag className="sg-confirm" role="group" aria-label={props.label}>
      <span>{props.question}</span>
      <button type="button" className="danger" disabled={props.busy} onClick={props.onConfirm}>
        {props.confirm}
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </Tag>
  );
}

/** A table row's Edit and Delete buttons; `what` names the row for screen readers. */
export function EditDelete(props: { what: string; onEdit: () => void; onDelete: () => void }) {
  return (
    <div className="actions">
      <button type="button" onClick={props.onEdit} aria-label={`Edit ${props.what}`}>
        Edit
      </button>
      <button type="button" className="danger" onClick={props.onDelete} aria-label={`Delete ${props.what}`}>
        Delete
      </button>
    </div>
  );
}
