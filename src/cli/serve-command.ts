/**
 * `parapet serve`: run the gateway in this process until SIGINT/SIGTERM. Flags win over their environment
 * variables; everything is validated before the server starts, so a bad flag never leaves a half-started server.
 */
import { REGION_RE } from '../core/arn.ts';
import { parseRegions } from '../core/regions.ts';
import {
  assessmentSettingsFromEnv,
  DEFAULT_PORT,
  defaultAssessmentThreads,
  DETECTORS_ENV,
  type DetectorsConfig,
  MAX_ASSESSMENT_THREADS,
  readDetectorsFile,
  type ServeOptions,
  startServer,
} from '../server/serve.ts';
import { FlagError } from './guardrail-flags.ts';
import { describeModels, MODELS_ENV, readModelsFile, routesSummary } from './models-command.ts';

/** The flags of `parapet serve`, as commander hands them over (strings, unparsed). */
export interface ServeFlags {
  port?: string;
  host: string;
  dataDir?: string;
  models?: string;
  failOpen?: string[];
  logContent?: boolean;
  quotaRps?: string;
  quotaTextUnits?: string;
  /** False with `--no-quotas`. */
  quotas?: boolean;
  guardrailDeadlineMs?: string;
  /** Worker threads for assessments (0 = the event loop). */
  assessmentThreads?: string;
  /** Failed authentication attempts per client address per minute before it waits. */
  authFailuresPerAddress?: string;
  /** Failed authentication attempts per access key id per minute before it waits. */
  authFailuresPerKey?: string;
  /** False with `--no-auth-failure-limits`. */
  authFailureLimits?: boolean;
  /** False with `--no-exempt-loopback`: loopback peers are limited too (a local proxy without X-Forwarded-For). */
  exemptLoopback?: boolean;
  /** The detectors file (external ONNX / LLM-judge detectors). */
  detectors?: string;
  /** How long a console sign-in lasts, in minutes. */
  consoleSessionMinutes?: string;
  /** A PostgreSQL URL (else SQLite in the data directory). */
  database?: string;
  databaseSchema?: string;
  /** A Redis URL: the per-account quota counters, shared by every replica. */
  redis?: string;
}

/** The console session lifetime from the flag or PARAPET_CONSOLE_SESSION_MINUTES (undefined = the default 8 hours). */
export function consoleSessionTtlMs(flag: string | undefined, env: string | undefined = process.env.PARAPET_CONSOLE_SESSION_MINUTES): number | undefined {
  const text = flag ?? env;
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 10_080)
    throw new Error(`invalid console session length '${text.slice(0, 20)}': a whole number of minutes from 1 to 10080 (7 days)`);
  return Number(text) * 60_000;
}

/** `--assessment-threads`, else PARAPET_ASSESSMENT_THREADS, else `parapet serve`'s default (2 with 2 cores or more). */
export function assessmentThreads(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cores?: number): number {
  if (flag === undefined) return assessmentSettingsFromEnv(env).threads ?? defaultAssessmentThreads(cores);
  const t = flag.trim();
  if (!/^[0-9]{1,2}$/.test(t) || Number(t) > MAX_ASSESSMENT_THREADS)
    throw new FlagError(`--assessment-threads must be a whole number from 0 to ${MAX_ASSESSMENT_THREADS} (0 = assess on the event loop), got '${flag}'.`);
  return Number(t);
}

/** The failed-authentication limits from the flags (`auth-throttle.ts` defaults for what they leave out). */
export function authFailureLimits(o: Pick<ServeFlags, 'authFailuresPerAddress' | 'authFailuresPerKey' | 'authFailureLimits' | 'exemptLoopback'>): ServeOptions['authFailureLimits'] {
  const perAddress = o.authFailuresPerAddress === undefined ? undefined : nonNegativeInt('--auth-failures-per-address', o.authFailuresPerAddress);
  const perKey = o.authFailuresPerKey === undefined ? undefined : nonNegativeInt('--auth-failures-per-key', o.authFailuresPerKey);
  if (o.authFailureLimits === false) {
    if (perAddress !== undefined || perKey !== undefined)
      throw new FlagError('--no-auth-failure-limits turns the limits off: drop --auth-failures-per-address/--auth-failures-per-key, or it.');
    return false;
  }
  return {
    ...(perAddress !== undefined ? { perAddress } : {}),
    ...(perKey !== undefined ? { perKey } : {}),
    ...(o.exemptLoopback === false ? { exemptLoopback: false } : {}),
  };
}

/** What the flags and environment say about the gateway, in `startServer`'s terms. */
export type GatewayOptions = Pick<ServeOptions, 'models' | 'quotas' | 'gateway' | 'detectors'>;

export const MAX_GUARDRAIL_DEADLINE_MS = 60_000;
const GUARDRAIL_VERSION_RE = /^(?:[1-9][0-9]{0,7}|DRAFT)$/;
const GUARDRAIL_ARN_RE = /^arn:aws(?:-[a-z]+)*:bedrock:([^:]+):([0-9]{12}):guardrail\/([a-z0-9]+)(?::([^:]*))?$/;

/**
 * A fail-open entry: `arn:aws:bedrock:<region>:<account>:guardrail/<id>`, optionally `:<version>` (a number or
 * DRAFT) for only that version. Returns it unchanged; throws FlagError saying what is wrong.
 */
export function parseFailOpen(value: string): string {
  const v = value.trim();
  const m = GUARDRAIL_ARN_RE.exec(v);
  const expected = 'expected arn:aws:bedrock:<region>:<12-digit account>:guardrail/<id>[:<version>]';
  if (!m) throw new FlagError(`--fail-open '${value}' is not a guardrail ARN (${expected}).`);
  const [, region = '', , , version] = m;
  if (!REGION_RE.test(region)) throw new FlagError(`--fail-open '${value}': '${region}' is not a Region name (like us-east-1).`);
  if (version !== undefined && !GUARDRAIL_VERSION_RE.test(version))
    throw new FlagError(`--fail-open '${value}': the version '${version}' must be a version number or DRAFT.`);
  return v;
}

function nonNegativeInt(name: string, text: string): number {
  if (!/^(?:0|[1-9][0-9]{0,8})$/.test(text.trim()))
    throw new FlagError(`${name} must be a non-negative whole number (0 turns the limit off), got '${text}'.`);
  return Number(text.trim());
}

function envFlag(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw new FlagError(`${name} must be 1 or 0, got '${value}'.`);
}

/** The models file, fail-open guardrails, content logging, quotas and deadline from the flags, else the environment. */
export function gatewayOptions(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): GatewayOptions {
  const out: GatewayOptions = {};
  const models = readModelsFile(flags.models ?? env[MODELS_ENV]);
  if (models) out.models = models;
  const detectorsFile = flags.detectors ?? env[DETECTORS_ENV];
  if (detectorsFile) {
    const detectors: DetectorsConfig = readDetectorsFile(detectorsFile, env);
    if (detectors.detectors.length) out.detectors = detectors;
  }

  const gateway: NonNullable<ServeOptions['gateway']> = {};
  const failOpen = flags.failOpen?.length ? flags.failOpen.flatMap((f) => f.split(',')) : (env.PARAPET_FAIL_OPEN ?? '').split(',');
  const arns = failOpen.map((f) => f.trim()).filter(Boolean).map(parseFailOpen);
  if (arns.length) gateway.failOpen = new Set(arns);
  if (flags.logContent || envFlag('PARAPET_LOG_CONTENT', env.PARAPET_LOG_CONTENT)) gateway.logContent = true;
  if (flags.guardrailDeadlineMs !== undefined) {
    const t = flags.guardrailDeadlineMs.trim();
    const ms = /^[0-9]{1,6}$/.test(t) ? Number(t) : Number.NaN;
    if (!(ms >= 1 && ms <= MAX_GUARDRAIL_DEADLINE_MS))
      throw new FlagError(`--guardrail-deadline-ms must be a whole number of milliseconds from 1 to ${MAX_GUARDRAIL_DEADLINE_MS}, got '${flags.guardrailDeadlineMs}'.`);
    gateway.guardrailDeadlineMs = ms;
  }
  if (Object.keys(gateway).length) out.gateway = gateway;

  const rps = flags.quotaRps === undefined ? undefined : nonNegativeInt('--quota-rps', flags.quotaRps);
  const units = flags.quotaTextUnits === undefined ? undefined : nonNegativeInt('--quota-text-units', flags.quotaTextUnits);
  if (flags.quotas === false) {
    if (rps !== undefined || units !== undefined)
      throw new FlagError('--no-quotas turns every quota off: drop --quota-rps/--quota-text-units, or --no-quotas.');
    out.quotas = { disabled: true };
  } else if (rps !== undefined || units !== undefined) {
    out.quotas = { ...(rps !== undefined ? { requestsPerSecond: rps } : {}), ...(units !== undefined ? { textUnitsPerSecond: units } : {}) };
  }
  return out;
}

/**
 * The banner lines about the gateway: the OpenAI-compatible endpoint, /metrics, the models and non-default settings.
 * `counters` is where the quota counters live (`RunningServer.quotaCounters`).
 */
export function gatewayBanner(url: string, o: GatewayOptions, counters?: string): string[] {
  const lines = [
    `  OpenAI:       ${url}/v1/chat/completions  (API key = <AccessKeyId>:<SecretAccessKey>)`,
    `  Metrics:      ${url}/metrics  (Prometheus)`,
  ];
  const [first, ...rest] = routesSummary(describeModels(o.models));
  lines.push(`  Models:       ${first ?? '(none)'}`, ...rest.map((l) => `                ${l}`));
  const q = o.quotas;
  const limit = (n: number | undefined) => (n === undefined ? "Bedrock's default" : n === 0 ? 'no limit' : String(n));
  if (q?.disabled) lines.push('  Quotas:       off');
  else if (q || counters)
    lines.push(
      `  Quotas:       requests/s ${limit(q?.requestsPerSecond)}, text units/s ${limit(q?.textUnitsPerSecond)} (per account and Region)` +
        (counters ? `, counters ${counters === 'per process' ? counters : `in ${counters}`}` : ''),
    );
  const g = o.gateway;
  if (g?.failOpen?.size) lines.push(`  Fail-open:    ${[...g.failOpen].join(', ')}`);
  if (g?.logContent) lines.push('  Content:      prompts and matched text are kept in the audit trail (--log-content)');
  if (g?.guardrailDeadlineMs !== undefined) lines.push(`  Deadline:     ${g.guardrailDeadlineMs} ms per guardrail evaluation`);
  const [firstDetector, ...moreDetectors] = (o.detectors?.detectors ?? []).map(
    (d) => `${d.name} (${d.kind}, timeout ${d.timeoutMs} ms, ${d.sources.join('+')}) → ${d.guardrails.join(', ')}`,
  );
  if (firstDetector) lines.push(`  Detectors:    ${firstDetector}`, ...moreDetectors.map((l) => `                ${l}`));
  return lines;
}

export async function runServe(o: ServeFlags): Promise<void> {
  const portText = o.port ?? process.env.PARAPET_PORT;
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port '${portText}'`);
  const dataDir = o.dataDir ?? process.env.PARAPET_DATA_DIR ?? '.parapet';
  const gw = gatewayOptions(o);
  const consoleTtl = consoleSessionTtlMs(o.consoleSessionMinutes);
  const database = o.database ?? (process.env.PARAPET_DATABASE_URL || undefined);
  const databaseSchema = o.databaseSchema ?? (process.env.PARAPET_DATABASE_SCHEMA || undefined);
  const redis = o.redis ?? (process.env.PARAPET_REDIS_URL || undefined);
  const threads = assessmentThreads(o.assessmentThreads);
  const authLimits = authFailureLimits(o);
  process.umask(0o077); // everything the server writes (database, WAL, keys) is private to its user
  const server = await startServer({
    port,
    host: o.host,
    dataDir,
    masterKey: process.env.PARAPET_MASTER_KEY,
    regions: parseRegions(process.env.PARAPET_REGIONS),
    // A first start creates a demo organization (management + team-a in OU Engineering + team-b); PARAPET_DEMO=0 skips it.
    demo: process.env.PARAPET_DEMO !== '0',
    log: process.env.PARAPET_LOG === 'json' ? (l) => process.stdout.write(`${JSON.stringify(l)}\n`) : undefined,
    ...gw,
    ...(consoleTtl !== undefined ? { consoleSessionTtlMs: consoleTtl } : {}),
    ...(database ? { database } : {}),
    ...(databaseSchema ? { databaseSchema } : {}),
    ...(redis ? { redis } : {}),
    assessmentThreads: threads,
    authFailureLimits: authLimits,
  });
  // Stop cleanly on a signal, even one that comes while the banner is being written (the handler runs after it).
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  const out = process.stdout;
  out.write(`Parapet is listening on ${server.url} (HTTP/1.1 and h2c)\n`);
  out.write(
    server.console.built
      ? `  Console:      ${server.url}/console/  (sign in with an access key from credentials.json)\n`
      : `  Console:      not built (${server.console.dir} is missing): run \`npm run build:console\`\n`,
  );
  out.write(`  API:          ${server.url}  (bedrock, bedrock-runtime, organizations, sts, iam; SigV4, Region ${server.credentials.region})\n`);
  for (const l of gatewayBanner(server.url, gw, server.quotaCounters)) out.write(`${l}\n`);
  if (server.assessmentThreads)
    out.write(`  Assessments:  on ${server.assessmentThreads} worker thread${server.assessmentThreads > 1 ? 's' : ''} (--assessment-threads)\n`);
  out.write(`  Data:         ${server.database}\n`);
  out.write(`  Keys:         ${server.dataDir} (master key unless PARAPET_MASTER_KEY is set; every replica needs the same one)\n`);
  out.write(`  Credentials:  ${server.credentialsPath}\n`);
  if (server.bootstrapped) {
    const mgmt = server.credentials.accounts.find((a) => a.role === 'management');
    if (mgmt) {
      out.write('\nCreated the management account. Its access key is shown once here (also in credentials.json):\n');
      out.write(`  Account ID:         ${mgmt.accountId}\n`);
      out.write(`  AWS_ACCESS_KEY_ID=${mgmt.accessKeyId}\n`);
      out.write(`  AWS_SECRET_ACCESS_KEY=${mgmt.secretAccessKey}\n`);
    }
    const members = server.credentials.accounts.filter((a) => a.role === 'member');
    if (members.length > 0) {
      out.write('\nDemo organization: member accounts (keys in credentials.json; use them with --account NAME):\n');
      for (const m of members) out.write(`  ${m.name.padEnd(10)} ${m.accountId}\n`);
    }
  }
}
