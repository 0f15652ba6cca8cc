/**
 * The gateway benchmark's fixture: an organization with one member account on which the reference guardrail is
 * enforced twice — by a Bedrock organization policy (the management account's guardrail, shared with the
 * organization by a resource policy) and by an account-level enforced configuration (the member's own copy) —
 * all through the AWS SDK clients against a running Parapet server; and a benign prompt no policy acts on.
 */
import {
  BedrockClient,
  CreateGuardrailCommand,
  type CreateGuardrailCommandInput,
  CreateGuardrailVersionCommand,
  PutEnforcedGuardrailConfigurationCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-bedrock';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

export const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
export const REGION = 'us-east-1';

/** Sentences no policy of the reference guardrail acts on (no PII, topics, profanity or regex matches). */
const BENIGN = [
  'The quarterly report shows steady growth in the northern region.',
  'Please review the attached draft before the meeting on Thursday.',
  'Our team shipped the new onboarding flow and customers like it.',
  'Remember to rotate the logs and archive the old backups weekly.',
  'Can you summarize the main findings of the research paper for me?',
  'The recipe needs two cups of flour, one egg and a pinch of salt.',
  'Traffic on the highway was light this morning after the holiday.',
  'The museum opens at nine and the guided tour starts at ten.',
  'The garden needs water every other day during the dry summer.',
  'We moved the weekly planning call to the afternoon slot.',
];

/** Exactly `bytes` ASCII characters of benign English. */
export function benignText(bytes: number): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += `${BENIGN[(i * 7) % BENIGN.length]} `;
  return out.slice(0, bytes);
}

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Setup {
  member: string;
  memberCreds: Creds;
  orgGuardrailArn: string;
  accountGuardrailArn: string;
}

/** A running server: in this process (RunningServer) or another (bench/parapet-process.ts), started without the demo. */
export interface ServerHandle {
  url: string;
  credentials: { accounts: ReadonlyArray<{ role: string; accessKeyId: string; secretAccessKey: string }> };
}

/** Creates the organization, the member account, both guardrails (published as version 1) and both enforcements. */
export async function setUpOrganization(server: ServerHandle, guardrail: CreateGuardrailCommandInput): Promise<Setup> {
  const mgmt = server.credentials.accounts.find((a) => a.role === 'management');
  if (!mgmt) throw new Error('no management account was bootstrapped');
  const mgmtCreds: Creds = { accessKeyId: mgmt.accessKeyId, secretAccessKey: mgmt.secretAccessKey };
  const cfg = (credentials: Creds) => ({ region: REGION, endpoint: server.url, credentials, maxAttempts: 1 });
  const orgs = new OrganizationsClient(cfg(mgmtCreds));
  const sts = new STSClient(cfg(mgmtCreds));
  const bedrock = new BedrockClient(cfg(mgmtCreds));
  try {
    const orgId = (await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization?.Id ?? '';
    const rootId = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    const member =
      (await orgs.send(new CreateAccountCommand({ AccountName: 'bench-member', Email: 'bench@example.com' }))).CreateAccountStatus
        ?.AccountId ?? '';
    const role = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'bench' }),
    );
    const memberCreds: Creds = {
      accessKeyId: role.Credentials?.AccessKeyId ?? '',
      secretAccessKey: role.Credentials?.SecretAccessKey ?? '',
      sessionToken: role.Credentials?.SessionToken ?? '',
    };

    // Organization level: the management account's guardrail, shared with the organization, enforced on the root.
    const g = await bedrock.send(new CreateGuardrailCommand({ ...guardrail, name: 'bench-org-reference' }));
    const orgGuardrailArn = g.guardrailArn ?? '';
    await bedrock.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
    await bedrock.send(
      new PutResourcePolicyCommand({
        resourceArn: orgGuardrailArn,
        resourcePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OrgApply',
              Effect: 'Allow',
              Principal: '*',
              Action: 'bedrock:ApplyGuardrail',
              Resource: orgGuardrailArn,
              Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } },
            },
          ],
        }),
      }),
    );
    await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'BEDROCK_POLICY' }));
    const policy = await orgs.send(
      new CreatePolicyCommand({
        Name: 'bench-baseline',
        Description: 'reference guardrail, every model',
        Type: 'BEDROCK_POLICY',
        Content: JSON.stringify({
          bedrock: {
            guardrail_inference: {
              [REGION]: {
                baseline: {
                  identifier: { '@@assign': `${orgGuardrailArn}:1` },
                  model_enforcement: { included_models: { '@@assign': ['ALL'] }, excluded_models: { '@@assign': [] } },
                },
              },
            },
          },
        }),
      }),
    );
    await orgs.send(new AttachPolicyCommand({ PolicyId: policy.Policy?.PolicySummary?.Id ?? '', TargetId: rootId }));

    // Account level: the member's own copy of the reference guardrail, enforced on the member account.
    const memberBedrock = new BedrockClient(cfg(memberCreds));
    try {
      const mg = await memberBedrock.send(new CreateGuardrailCommand({ ...guardrail, name: 'bench-account-reference' }));
      await memberBedrock.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: mg.guardrailId }));
      await memberBedrock.send(
        new PutEnforcedGuardrailConfigurationCommand({
          guardrailInferenceConfig: {
            guardrailIdentifier: mg.guardrailArn,
            guardrailVersion: '1',
            modelEnforcement: { includedModels: ['ALL'], excludedModels: [] },
          },
        }),
      );
      return { member, memberCreds, orgGuardrailArn, accountGuardrailArn: mg.guardrailArn ?? '' };
    } finally {
      memberBedrock.destroy();
    }
  } finally {
    orgs.destroy();
    sts.destroy();
    bedrock.destroy();
  }
}
