/** A guardrail configuration (GetGuardrail output) summarised per policy, and flattened for comparison. */
import type { ReactNode } from 'react';
import { TableHead } from '../../components/table.tsx';
import type { Guardrail } from './api.ts';

const ACTION_TEXT: Record<string, string> = { BLOCK: 'Block', ANONYMIZE: 'Mask', NONE: 'Detect only' };
export const actionText = (a: string): string => ACTION_TEXT[a] ?? a;

interface SideLike {
  inputAction: string;
  outputAction: string;
  inputEnabled: boolean;
  outputEnabled: boolean;
}

const onInput = (t: SideLike) => (t.inputEnabled ? actionText(t.inputAction) : 'Not evaluated');
const onOutput = (t: SideLike) => (t.outputEnabled ? actionText(t.outputAction) : 'Not evaluated');

function Policy(props: { title: string; configured: boolean; children: ReactNode }) {
  return (
    <section className="gr-policy" aria-label={props.title}>
      <h3>{props.title}</h3>
      {props.configured ? props.children : <p className="muted">Not configured.</p>}
    </section>
  );
}

export function ConfigSummary(props: { g: Guardrail }) {
  const { g } = props;
  const cp = g.contentPolicy;
  const tp = g.topicPolicy;
  const wp = g.wordPolicy;
  const sp = g.sensitiveInformationPolicy;
  const gp = g.contextualGroundingPolicy;
  return (
    <div className="gr-summary">
      <Policy title="Content filters" configured={!!cp?.filters.length}>
        <table>
          <TableHead columns={['Filter', 'Input strength', 'Output strength', 'On input', 'On output']} />
          <tbody>
            {cp?.filters.map((f) => (
              <tr key={f.type}>
                <th scope="row">{f.type}</th>
                <td>{f.inputStrength}</td>
                <td>{f.outputStrength}</td>
                <td>{onInput(f)}</td>
                <td>{onOutput(f)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {cp?.tier && <p className="muted">Tier: {cp.tier.tierName}</p>}
      </Policy>

      <Policy title="Denied topics" configured={!!tp?.topics.length}>
        <table>
          <TableHead columns={['Topic', 'Definition', 'Sample phrases', 'On input', 'On output']} />
          <tbody>
            {tp?.topics.map((t) => (
              <tr key={t.name}>
                <th scope="row">{t.name}</th>
                <td>{t.definition}</td>
                <td>
                  {t.examples.length ? (
                    <ul className="gr-plain">
                      {t.examples.map((x, i) => (
                        <li key={`${i}:${x}`}>{x}</li>
                      ))}
                    </ul>
                  ) : (
                    <span className="muted">None</span>
                  )}
                </td>
                <td>{onInput(t)}</td>
                <td>{onOutput(t)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {tp?.tier && <p className="muted">Tier: {tp.tier.tierName}</p>}
      </Policy>

      <Policy title="Word filters" configured={!!(wp?.words.length || wp?.managedWordLists.length)}>
        {wp?.managedWordLists.map((l) => (
          <p key={l.type}>
            Managed list <strong>{l.type}</strong>: input {onInput(l).toLowerCase()}, output {onOutput(l).toLowerCase()}.
          </p>
        ))}
        {wp && wp.words.length > 0 && (
          <table>
            <TableHead columns={['Word or phrase', 'On input', 'On output']} />
            <tbody>
              {wp.words.map((w, i) => (
                <tr key={`${i}:${w.text}`}>
                  <th scope="row">{w.text}</th>
                  <td>{onInput(w)}</td>
                  <td>{onOutput(w)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Policy>

      <Policy title="Sensitive information" configured={!!(sp?.piiEntities.length || sp?.regexes.length)}>
        {sp && sp.piiEntities.length > 0 && (
          <table>
            <TableHead columns={['PII entity', 'Action', 'On input', 'On output']} />
            <tbody>
              {sp.piiEntities.map((p) => (
                <tr key={p.type}>
                  <th scope="row" className="mono">
                    {p.type}
                  </th>
                  <td>{actionText(p.action)}</td>
                  <td>{onInput(p)}</td>
                  <td>{onOutput(p)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {sp && sp.regexes.length > 0 && (
          <table className="gr-after">
            <TableHead columns={['Regex', 'Pattern', 'Description', 'On input', 'On output']} />
            <tbody>
              {sp.regexes.map((r) => (
                <tr key={r.name}>
                  <th scope="row">{r.name}</th>
                  <td>
                    <code>{r.pattern}</code>
                  </td>
                  <td>{r.description ?? ''}</td>
                  <td>{onInput(r)}</td>
                  <td>{onOutput(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Policy>

      <Policy title="Contextual grounding" configured={!!gp?.filters.length}>
        <table>
          <TableHead columns={['Check', 'Threshold', 'Action', 'Enabled']} />
          <tbody>
            {gp?.filters.map((f) => (
              <tr key={f.type}>
                <th scope="row">{f.type}</th>
                <td>{f.threshold}</td>
                <td>{actionText(f.action)}</td>
                <td>{f.enabled ? 'Yes' : 'No'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Policy>
    </div>
  );
}

export interface FlatField {
  section: string;
  field: string;
  value: string;
}

export const SECTIONS = ['General', 'Content filters', 'Denied topics', 'Word filters', 'Sensitive information', 'Contextual grounding'] as const;

const sideValue = (t: SideLike) => `input: ${onInput(t)}; output: ${onOutput(t)}`;

/** Every comparable field of a configuration as (section, field, value); timestamps and ids are left out. */
export function flatten(g: Guardrail): FlatField[] {
  const out: FlatField[] = [];
  const add = (section: (typeof SECTIONS)[number], field: string, value: string | undefined) => out.push({ section, field, value: value ?? '' });
  add('General', 'Name', g.name);
  add('General', 'Description', g.description);
  add('General', 'Blocked input message', g.blockedInputMessaging);
  add('General', 'Blocked output message', g.blockedOutputsMessaging);
  add('General', 'KMS key', g.kmsKeyArn);
  add('General', 'Cross-Region profile', g.crossRegionDetails?.guardrailProfileArn);
  for (const f of g.contentPolicy?.filters ?? []) {
    add('Content filters', `${f.type} input strength`, f.inputStrength);
    add('Content filters', `${f.type} output strength`, f.outputStrength);
    add('Content filters', `${f.type} actions`, sideValue(f));
  }
  if (g.contentPolicy?.tier) add('Content filters', 'Tier', g.contentPolicy.tier.tierName);
  for (const t of g.topicPolicy?.topics ?? []) {
    add('Denied topics', `${t.name}: definition`, t.definition);
    add('Denied topics', `${t.name}: sample phrases`, t.examples.join(' | '));
    add('Denied topics', `${t.name}: actions`, sideValue(t));
  }
  if (g.topicPolicy?.tier) add('Denied topics', 'Tier', g.topicPolicy.tier.tierName);
  for (const w of g.wordPolicy?.words ?? []) add('Word filters', `Word “${w.text}”`, sideValue(w));
  for (const l of g.wordPolicy?.managedWordLists ?? []) add('Word filters', `Managed list ${l.type}`, sideValue(l));
  for (const p of g.sensitiveInformationPolicy?.piiEntities ?? []) add('Sensitive information', p.type, `${actionText(p.action)} (${sideValue(p)})`);
  for (const r of g.sensitiveInformationPolicy?.regexes ?? []) {
    add('Sensitive information', `Regex ${r.name}: pattern`, r.pattern);
    add('Sensitive information', `Regex ${r.name}: description`, r.description);
    add('Sensitive information', `Regex ${r.name}: action`, `${actionText(r.action)} (${sideValue(r)})`);
  }
  for (const f of g.contextualGroundingPolicy?.filters ?? []) {
    add('Contextual grounding', `${f.type} threshold`, String(f.threshold));
    add('Contextual grounding', `${f.type} action`, actionText(f.action));
    add('Contextual grounding', `${f.type} enabled`, f.enabled ? 'Yes' : 'No');
  }
  return out;
}
