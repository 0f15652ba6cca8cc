/** Small labelled controls for the guardrail pages (table cells carry their label in aria-label). */
import { useEffect, useId, useState } from 'react';
import type { Column } from '../../components/table.tsx';
import { Select } from '../../components/ui.tsx';
import type { BlockAction, SensitiveAction } from './api.ts';
import type { Side } from './form.ts';

export const BLOCK_OPTIONS: ReadonlyArray<readonly [BlockAction, string]> = [
  ['BLOCK', 'Block'],
  ['NONE', 'Detect only'],
];
export const SENSITIVE_OPTIONS: ReadonlyArray<readonly [SensitiveAction, string]> = [
  ['BLOCK', 'Block'],
  ['ANONYMIZE', 'Mask'],
  ['NONE', 'Detect only'],
];

/** A checkbox with its visible label. */
export function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean; hint?: string }) {
  const id = useId();
  return (
    <div className="gr-check">
      <input id={id} type="checkbox" checked={props.checked} disabled={props.disabled} onChange={(e) => props.onChange(e.target.checked)} aria-describedby={props.hint ? `${id}-hint` : undefined} />
      <label htmlFor={id}>{props.label}</label>
      {props.hint && (
        <span id={`${id}-hint`} className="muted gr-check-hint">
          {props.hint}
        </span>
      )}
    </div>
  );
}

export function CellSelect<T extends string>(props: { label: string; value: T; options: ReadonlyArray<readonly [T, string]>; onChange: (v: T) => void; disabled?: boolean; invalid?: boolean; describedBy?: string }) {
  return (
    <select
      aria-label={props.label}
      value={props.value}
      disabled={props.disabled}
      aria-invalid={props.invalid ? true : undefined}
      aria-describedby={props.describedBy}
      onChange={(e) => props.onChange(e.target.value as T)}
    >
      {props.options.map(([v, l]) => (
        <option key={v} value={v}>
          {l}
        </option>
      ))}
    </select>
  );
}

export function CellCheck(props: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  return <input type="checkbox" aria-label={props.label} checked={props.checked} disabled={props.disabled} onChange={(e) => props.onChange(e.target.checked)} />;
}

/** The four per-side toggles (input/output action, input/output evaluated) as table cells. */
export function SideCells<A extends string>(props: { name: string; value: Side<A>; options: ReadonlyArray<readonly [A, string]>; onChange: (v: Side<A>) => void; disabled?: boolean }) {
  const { value: v, onChange, name } = props;
  return (
    <>
      <td>
        <CellSelect label={`${name} input action`} value={v.inputAction} options={props.options} disabled={props.disabled || !v.inputEnabled} onChange={(a) => onChange({ ...v, inputAction: a })} />
      </td>
      <td>
        <CellSelect label={`${name} output action`} value={v.outputAction} options={props.options} disabled={props.disabled || !v.outputEnabled} onChange={(a) => onChange({ ...v, outputAction: a })} />
      </td>
      <td className="gr-center">
        <CellCheck label={`Evaluate ${name} on input`} checked={v.inputEnabled} disabled={props.disabled} onChange={(c) => onChange({ ...v, inputEnabled: c })} />
      </td>
      <td className="gr-center">
        <CellCheck label={`Evaluate ${name} on output`} checked={v.outputEnabled} disabled={props.disabled} onChange={(c) => onChange({ ...v, outputEnabled: c })} />
      </td>
    </>
  );
}

/** The column headers of SideCells. */
export const SIDE_COLUMNS: readonly Column[] = ['Input action', 'Output action', { label: 'Evaluate input', className: 'gr-center' }, { label: 'Evaluate output', className: 'gr-center' }];

/** The per-side toggles as a row of labelled controls (for topic and regex cards). */
export function SideRow<A extends string>(props: { name: string; value: Side<A>; options: ReadonlyArray<readonly [A, string]>; onChange: (v: Side<A>) => void }) {
  const { value: v, onChange, name } = props;
  return (
    <div className="gr-side-row">
      <Select label="Input action" value={v.inputAction} options={props.options} disabled={!v.inputEnabled} onChange={(a) => onChange({ ...v, inputAction: a })} />
      <Select label="Output action" value={v.outputAction} options={props.options} disabled={!v.outputEnabled} onChange={(a) => onChange({ ...v, outputAction: a })} />
      <Check label={`Evaluate ${name} on input`} checked={v.inputEnabled} onChange={(c) => onChange({ ...v, inputEnabled: c })} />
      <Check label={`Evaluate ${name} on output`} checked={v.outputEnabled} onChange={(c) => onChange({ ...v, outputEnabled: c })} />
    </div>
  );
}

/** A one-shot message shown by the next page (e.g. "Guardrail deleted." after navigating to the list). */
let flashMessage: string | undefined;
export function setFlash(message: string): void {
  flashMessage = message;
}
/** The message left for this page, if any; it is consumed once the page has mounted. */
export function useFlash(): string | undefined {
  const [message] = useState(() => flashMessage);
  useEffect(() => {
    flashMessage = undefined;
  }, []);
  return message;
}
