/** Table and list markup the pages share: column headers, and label/value pairs. */
import type { ReactNode } from 'react';

/** A column header: its text, or a label (any content) with a class for the cell. */
export type Column = string | { label: ReactNode; className?: string };

/** A table's header row: one `th scope="col"` per column, in order. */
export function TableHead(props: { columns: readonly Column[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c, i) =>
          typeof c === 'string' ? (
            <th key={i} scope="col">
              {c}
            </th>
          ) : (
            <th key={i} scope="col" className={c.className}>
              {c.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

/** One label/value pair of a description list (`dl`); `className` styles the value. */
export function Fact(props: { label: string; children: ReactNode; className?: string }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd className={props.className}>{props.children}</dd>
    </>
  );
}
