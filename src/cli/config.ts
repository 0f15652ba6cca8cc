/**
 * Who the CLI is and where it talks to: credentials and endpoint resolution the AWS way, plus `--account`
 * ("act in this account"), which may need an STS AssumeRole of the account's OrganizationAccountAccessRole.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ApiError,
  assumeRole,
  type CallerIdentity,
  type ClientConfig,
  type Credentials,
  getCallerIdentity,
} from './client.ts';

export const ORG_ACCESS_ROLE = 'OrganizationAccountAccessRole';
export const CLI_SESSION_NAME = 'parapet-cli';

export interface ResolveOptions {
  endpoint?: string;
  region?: string;
  profile?: string;
  dataDir?: string;
  account?: string;
}

/** One entry of the data directory's credentials.json (written by `parapet serve` and `accounts create-key --save`). */
export interface LocalAccount {
  accountId: string;
  name: string;
  role: 'management' | 'member';
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CredentialsFileContent {
  accounts?: LocalAccount[];
  region?: string;
  endpoint?: string;
}

export function credentialsPathOf(opts: Pick<ResolveOptions, 'dataDir'>, env: NodeJS.ProcessEnv = process.env): string {
  return join(resolve(opts.dataDir ?? env.PARAPET_DATA_DIR ?? '.parapet'), 'credentials.json');
}

export function readCredentialsFile(path: string): CredentialsFileContent {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CredentialsFileContent;
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
}

/** Adds (or, for an account already listed, replaces) an account's key in credentials.json, private to the user. */
export function saveAccountKey(path: string, entry: LocalAccount): 'added' | 'replaced' {
  const content = readCredentialsFile(path);
  const accounts = content.accounts ?? [];
  const i = accounts.findIndex((a) => a.accountId === entry.accountId);
  if (i >= 0) accounts[i] = { ...entry, name: accounts[i]?.name ?? entry.name, role: accounts[i]?.role ?? entry.role };
  else accounts.push(entry);
  writeFileSync(path, `${JSON.stringify({ ...content, accounts }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // writeFileSync keeps the mode of an existing file
  return i >= 0 ? 'replaced' : 'added';
}

function readIni(file: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  if (!existsSync(file)) return out;
  let section: Record<string, string> | undefined;
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^\[(?:profile\s+)?([^\]]+)\]$/.exec(line);
    if (m?.[1]) {
      section = out[m[1].trim()] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (section && eq > 0) section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

function endpointAndRegion(opts: ResolveOptions, local: CredentialsFileContent, env: NodeJS.ProcessEnv) {
  const endpoint =
    opts.endpoint ?? env.PARAPET_ENDPOINT ?? env.AWS_ENDPOINT_URL_BEDROCK ?? local.endpoint ?? 'http://127.0.0.1:8787';
  const region = opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? local.region ?? 'us-east-1';
  return { endpoint, region };
}

/**
 * The caller's own credentials, ignoring `--account`, first found wins: `--profile`;
 * PARAPET_ACCESS_KEY_ID/PARAPET_SECRET_ACCESS_KEY; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; AWS_PROFILE; the data
 * directory's credentials.json (its management account).
 */
export function resolveBaseConfig(opts: ResolveOptions, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const credFile = credentialsPathOf(opts, env);
  const local = readCredentialsFile(credFile);
  return { ...endpointAndRegion(opts, local, env), credentials: baseCredentials(opts, env, local, credFile) };
}

function baseCredentials(
  opts: ResolveOptions,
  env: NodeJS.ProcessEnv,
  local: CredentialsFileContent,
  credFile: string,
): Credentials {
  const fromProfile = (name: string): Credentials => {
    const creds = readIni(env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'))[name];
    const id = creds?.aws_access_key_id;
    const secret = creds?.aws_secret_access_key;
    if (!id || !secret) throw new Error(`Profile '${name}' has no aws_access_key_id/aws_secret_access_key.`);
    return { accessKeyId: id, secretAccessKey: secret, sessionToken: creds.aws_session_token, source: `profile ${name}` };
  };
  if (opts.profile) return fromProfile(opts.profile);
  if (env.PARAPET_ACCESS_KEY_ID && env.PARAPET_SECRET_ACCESS_KEY)
    return {
      accessKeyId: env.PARAPET_ACCESS_KEY_ID,
      secretAccessKey: env.PARAPET_SECRET_ACCESS_KEY,
      source: 'PARAPET_ACCESS_KEY_ID',
    };
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
      source: 'AWS_ACCESS_KEY_ID',
    };
  if (env.AWS_PROFILE) return fromProfile(env.AWS_PROFILE);
  const accounts = local.accounts ?? [];
  const acct = accounts.find((a) => a.role === 'management') ?? accounts[0];
  if (!acct)
    throw new Error(
      `No credentials: pass --profile, set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run \`parapet serve\` once so ${credFile} exists.`,
    );
  return { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey, source: credFile };
}

/** The STS calls `--account` may need (replaceable in tests). */
export interface StsPort {
  assumeRole: typeof assumeRole;
  getCallerIdentity(cfg: ClientConfig): Promise<CallerIdentity>;
}

/**
 * The configuration to act IN `opts.account` (an id, or a name from credentials.json), or the base one without it:
 *  1. the base credentials, when they already belong to that account;
 *  2. else that account's key from credentials.json;
 *  3. else, for a 12-digit id, the base credentials' AssumeRole of `arn:aws:iam::<id>:role/OrganizationAccountAccessRole`
 *     (the role every account created in an organization trusts its management account with).
 */
export async function resolveClientConfig(
  opts: ResolveOptions,
  env: NodeJS.ProcessEnv = process.env,
  sts: StsPort = { assumeRole, getCallerIdentity },
): Promise<ClientConfig> {
  const credFile = credentialsPathOf(opts, env);
  const local = readCredentialsFile(credFile);
  const where = endpointAndRegion(opts, local, env);
  const target = opts.account;
  if (target === undefined) return { ...where, credentials: baseCredentials(opts, env, local, credFile) };

  const accounts = local.accounts ?? [];
  const entry = accounts.find((a) => a.accountId === target || a.name === target);
  const targetId = entry?.accountId ?? target;
  let base: ClientConfig | undefined;
  let baseError: unknown;
  try {
    base = { ...where, credentials: baseCredentials(opts, env, local, credFile) };
  } catch (e) {
    baseError = e;
  }
  const baseAccount = base && accounts.find((a) => a.accessKeyId === base.credentials.accessKeyId)?.accountId;
  if (base && baseAccount === targetId) return base;
  if (entry)
    return {
      ...where,
      credentials: { accessKeyId: entry.accessKeyId, secretAccessKey: entry.secretAccessKey, source: `${credFile} (${entry.name})` },
    };
  if (!/^\d{12}$/.test(target))
    throw new Error(
      `Account '${target}' is not in ${credFile}, and is not a 12-digit account id the CLI could assume ${ORG_ACCESS_ROLE} in.`,
    );
  if (!base) throw baseError;
  // Credentials from outside credentials.json: ask who they are before assuming a role they may not need.
  if (baseAccount === undefined && (await sts.getCallerIdentity(base)).account === target) return base;
  const roleArn = `arn:aws:iam::${target}:role/${ORG_ACCESS_ROLE}`;
  try {
    return { ...where, credentials: await sts.assumeRole(base, roleArn, CLI_SESSION_NAME) };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    throw new ApiError(
      e.code,
      `Cannot act in account ${target}: AssumeRole of ${roleArn} with the credentials from ${base.credentials.source} failed: ` +
        `${/[.!?]$/.test(e.message) ? e.message : `${e.message}.`} Use the management account of ${target}'s organization, or a key of ${target} ` +
        '(`parapet accounts create-key ' + target + ' --save`).',
      e.status,
    );
  }
}
