/**
 * Create or edit the account-level enforcement configuration of the signed-in account in the console's Region
 * (PutEnforcedGuardrailConfiguration; one per account and Region). The server's warnings are shown after saving.
 */
import { useState } from 'react';
import { currentRegion, getSession } from '../../api/client.ts';
import { navigate } from '../../app/router.ts';
import { Link, Loading, Notice, PageHeader, useLoad } from '../../components/ui.tsx';
import { type EnforcedConfig, type GuardrailSummary, listEnforcedConfigs, listGuardrails, putEnforcedConfig } from './api.ts';
import { EnforcementFields } from './fields.tsx';
import { setFlash } from './flash.ts';
import { FormPage, LoadFailed, OVERVIEW, useSaveForm } from './parts.tsx';
import { emptySettings, type EnforcementSettings, includedModels, isGuardrailArn, modelIdProblem, versionProblem } from './model.ts';

interface Loaded {
  accountId: string;
  guardrails: GuardrailSummary[];
  existing?: EnforcedConfig;
}

export function AccountConfigPage(props: { mode: 'new' | 'edit' }) {
  const data = useLoad(async (signal): Promise<Loaded> => {
    const [session, guardrails, configs] = await Promise.all([getSession(), listGuardrails(signal), listEnforcedConfigs(signal)]);
    const existing = configs[0];
    return { accountId: session?.accountId ?? '', guardrails, ...(existing ? { existing } : {}) };
  }, []);
  const title = props.mode === 'edit' ? 'Edit account-level configuration' : 'Create account-level configuration';
  if (data.error) return <LoadFailed title={title} error={data.error} />;
  if (!data.data) return <Loading what="the account’s configuration" />;
  if (props.mode === 'edit' && !data.data.existing)
    return (
      <section>
        <PageHeader title={title} />
        <Notice kind="info">There is no account-level configuration in {currentRegion()} to edit.</Notice>
        <Link to="/safeguards/account/new">Create one</Link>
      </section>
    );
  if (props.mode === 'new' && data.data.existing)
    return (
      <section>
        <PageHeader title={title} />
        <Notice kind="info">
          This account already has its configuration in {currentRegion()} ({data.data.existing.configId}); there is one per account and Region.
        </Notice>
        <Link to="/safeguards/account/edit">Edit it</Link>
      </section>
    );
  return <AccountConfigForm title={title} loaded={data.data} />;
}

function fromConfig(c: EnforcedConfig | undefined): EnforcementSettings {
  if (!c) return emptySettings();
  const inc = c.modelEnforcement?.includedModels ?? ['ALL'];
  return {
    guardrailArn: c.guardrailArn,
    version: c.guardrailVersion,
    system: c.selectiveContentGuarding?.system ?? 'COMPREHENSIVE',
    messages: c.selectiveContentGuarding?.messages ?? 'COMPREHENSIVE',
    scope: inc.includes('ALL') ? 'ALL' : 'INCLUDE',
    included: inc.includes('ALL') ? [] : inc,
    excluded: c.modelEnforcement?.excludedModels ?? [],
  };
}

function AccountConfigForm(props: { title: string; loaded: Loaded }) {
  const { accountId, guardrails, existing } = props.loaded;
  const region = currentRegion();
  const [value, setValue] = useState(() => fromConfig(existing));
  const [tried, setTried] = useState(false);
  const form = useSaveForm();

  const guardrailError = value.guardrailArn === '' ? 'Choose a guardrail.' : !isGuardrailArn(value.guardrailArn) ? 'Give a guardrail ARN (arn:aws:bedrock:{region}:{account}:guardrail/{id}).' : undefined;
  const versionError = versionProblem(value.version);
  const includeEmpty = value.scope === 'INCLUDE' && value.included.length === 0;
  const modelError =
    [...(value.scope === 'INCLUDE' ? value.included.map((m) => modelIdProblem(m, true)) : []), ...value.excluded.map((m) => modelIdProblem(m, false))].find(Boolean) ??
    (tried && includeEmpty ? 'Include needs at least one model id (the API requires one), or choose All models.' : undefined);

  const save = () => {
    setTried(true);
    void form.save(!(guardrailError || versionError || modelError || includeEmpty), async () => {
      const r = await putEnforcedConfig({
        ...(existing ? { configId: existing.configId } : {}),
        guardrailInferenceConfig: {
          guardrailIdentifier: value.guardrailArn,
          guardrailVersion: value.version,
          selectiveContentGuarding: { system: value.system, messages: value.messages },
          modelEnforcement: { includedModels: includedModels(value), excludedModels: value.excluded },
        },
      });
      setFlash({ message: `${existing ? 'Updated' : 'Created'} the account-level configuration ${r.configId} of account ${accountId} in ${region}.`, warnings: r.warnings });
      navigate(OVERVIEW);
    });
  };

  return (
    <FormPage
      title={props.title}
      description={`Enforced on every model invocation of account ${accountId} in ${region}.`}
      form={form}
      onSubmit={save}
      submitLabel={existing ? 'Save configuration' : 'Create configuration'}
    >
      <div className="panel">
        <p>
          Target account: <strong>{accountId}</strong> (the account you act in) · Region <strong>{region}</strong>
          {existing && (
            <>
              {' '}
              · configuration <span className="mono">{existing.configId}</span>
            </>
          )}
        </p>
        <EnforcementFields
          value={value}
          onChange={setValue}
          guardrails={guardrails}
          level="account"
          configRegion={region}
          accountId={accountId}
          errors={tried ? { guardrail: guardrailError, version: versionError, included: modelError } : { included: modelError }}
        />
      </div>
    </FormPage>
  );
}
