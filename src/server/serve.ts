/**
 * The composition root: opens the store, bootstraps the management account on first start, wires
 * services to operations and listens on one port for HTTP/1.1 and h2c.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { iamRootArn } from '../core/arn.ts';
import type { Caller } from '../core/caller.ts';
import { parseRegions } from '../core/regions.ts';
import { type Clock, isoTimestamp, newAccessKey, newAccountId, type Random, systemClock } from '../core/ports.ts';
import { GuardrailService } from '../control/guardrails.ts';
import { TagService } from '../control/tags.ts';
import { type CompiledCache, createCompiledCache } from '../engine/cache.ts';
import { createAesGcmCipher, loadOrCreateMasterKey } from '../store/crypto.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { openPostgresStore } from '../store/postgres/index.ts';
import type { AuditRepo, ChangeFeed, Store } from '../store/types.ts';
import { WorkerAuditRepo } from '../audit/worker-repo.ts';
import { withReadCache } from '../store/read-cache.ts';
import { createHandler } from './app.ts';
import { describeDatabase } from './database-url.ts';
import { storeReadiness } from './readiness.ts';
import { ConsoleSessions } from './console/session.ts';
import { IdentityService } from '../control/identity.ts';
import { loadConsoleFiles } from './console/static-files.ts';
import { createDualServer } from './listener.ts';
import { bedrockControlOperations } from './operations/bedrock-control.ts';
import { bedrockRuntimeOperations } from './operations/bedrock-runtime.ts';
import { iamOperations } from './operations/iam.ts';
import { organizationsOperations } from './operations/organizations.ts';
import { stsOperations } from './operations/sts.ts';
import type { Operation } from './router.ts';
import { AuditTrail } from '../audit/trail.ts';
import { AccountService } from '../control/accounts.ts';
import { Authorizer } from '../control/authorization.ts';
import type { Services } from '../control/services.ts';
import { EnforcementService } from '../control/enforcement.ts';
import { inUseCheck } from '../control/enforcement-usage.ts';
import { AdminService } from '../control/admin.ts';
import { OrganizationService } from '../control/organizations.ts';
import { VerifyService } from '../control/verify.ts';
import { adminOperations } from './operations/admin.ts';
import { ResourcePolicyService } from '../control/resource-policies.ts';
import { defaultModelsFile } from '../providers/models-file.ts';
import { ProviderRegistry } from '../providers/registry.ts';
import type { ModelsFile } from '../providers/types.ts';
import { DEFAULT_GATEWAY_SETTINGS, type GatewaySettings, InvocationGateway } from '../runtime/invocation.ts';
import { GatewayMetrics } from '../runtime/metrics.ts';
import { AccountQuotas, type QuotaBackend, type QuotaSettings } from '../runtime/quotas.ts';
import { openQuotaCounters } from '../runtime/quota-counters.ts';
import { describeRedis } from '../runtime/quota-redis.ts';
import { converseOperations } from './operations/converse.ts';
import { invokeModelOperations } from './operations/invoke-model.ts';
import { openAIOperations } from './operations/openai-chat.ts';
import { type DetectorRegistry, type DetectorsConfig, loadDetectors } from '../runtime/detectors/registry.ts';
import { AssessmentPool, type Assessor, assessmentSettingsFromEnv } from '../runtime/assessment-pool.ts';
import type { AuthFailureLimits } from './auth-throttle.ts';

export { DETECTORS_ENV, DetectorConfigError, type DetectorsConfig, readDetectorsFile } from '../runtime/detectors/registry.ts';
export { assessmentSettingsFromEnv, defaultAssessmentThreads, MAX_ASSESSMENT_THREADS } from '../runtime/assessment-pool.ts';

export const DEFAULT_PORT = 8787;
/** Where `npm run build:console` writes the console. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist', import.meta.url));
export const DEFAULT_REGION = 'us-east-1';

export interface ServeOptions {
  port?: number;
  host?: string;
  dataDir: string;
  masterKey?: string;
  /** Regions requests may be signed for (default: the AWS Regions). */
  regions?: ReadonlySet<string>;
  clock?: Clock;
  log?: (line: Record<string, unknown>) => void;
  /**
   * On the first start, create a demo organization: the management account, an OU `Engineering` with the
   * member account `team-a`, and the member account `team-b` under the root, each with a root access key in
   * credentials.json.
   */
  demo?: boolean;
  /** Which upstream serves each model id (default: only the built-in demo model parapet.demo-v1). */
  models?: ModelsFile;
  /** Per-account runtime quotas (default: Bedrock's per-Region defaults). */
  quotas?: QuotaSettings;
  /**
   * A Redis URL (redis://…): the quota counters, shared by every replica using it. Without it the counters are
   * in the PostgreSQL store when `database` is set, else in this process.
   */
  redis?: string;
  /** Fail-open guardrails, content logging, evaluation deadline. */
  gateway?: Partial<GatewaySettings>;
  /** External detectors (an ONNX model, an LLM judge) next to the shipped ones; loaded before the server listens. */
  detectors?: DetectorsConfig;
  /** A PostgreSQL URL (postgres://…): the store for several replicas. Default: SQLite in the data directory. */
  database?: string;
  /** The PostgreSQL schema to use (default: the server's search_path, normally public). */
  databaseSchema?: string;
  /** PostgreSQL: how long getting a connection (default 3 s) and one query (default 10 s) may take before calls fail with 503. */
  databaseTimeouts?: { connectMs?: number; queryMs?: number };
  /** The built web console (default: console/dist of this checkout). */
  consoleDir?: string;
  /** How long a console sign-in lasts (default 8 hours). */
  consoleSessionTtlMs?: number;
  /**
   * Worker threads that run guardrail assessments (`--assessment-threads`; 0 = on the event loop). Default:
   * PARAPET_ASSESSMENT_THREADS, else 0 (`parapet serve` passes its own default, `defaultAssessmentThreads`).
   */
  assessmentThreads?: number;
  /** Limits on failed authentication attempts (`auth-throttle.ts`; its defaults when absent, none when false). */
  authFailureLimits?: Partial<AuthFailureLimits> | false;
  /** With assessment threads: texts shorter than this are assessed on the event loop (default: PARAPET_ASSESSMENT_INLINE_CHARS, else the pool's). */
  assessmentInlineChars?: number;
}

export interface CredentialsFile {
  accounts: Array<{
    accountId: string;
    name: string;
    role: 'management' | 'member';
    accessKeyId: string;
    secretAccessKey: string;
  }>;
  region: string;
  endpoint: string;
}

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  credentialsPath: string;
  credentials: CredentialsFile;
  /** True when this start created the management account (its secret was printed). */
  bootstrapped: boolean;
  store: Store;
  services: Services;
  gateway: InvocationGateway;
  /** Where the state lives: the SQLite file, or the PostgreSQL URL without its password. */
  database: string;
  /** Where the quota counters live: `per process`, `Redis redis://host:port` or `PostgreSQL` (`off` without quotas). */
  quotaCounters: string;
  /** The web console's files: whether they were built, and where from. */
  console: { built: boolean; dir: string };
  /** Assessment threads (0: assessments run on the event loop). */
  assessmentThreads: number;
  close(): Promise<void>;
}

const nodeRandom: Random = { bytes: (n) => randomBytes(n) };
const monotonic: Clock = { now: () => performance.now() };

/**
 * Creates the management account on the first start of an empty store. Replicas starting together on one
 * fresh database race for the `bootstrap` claim: one creates the account (and the demo organization; it then
 * sets `bootstrapped`), the others wait for it.
 */
async function bootstrap(store: Store, clock: Clock): Promise<boolean> {
  if (await store.meta.get('bootstrapped')) return false;
  // A store bootstrapped before the claim existed has accounts and no claim.
  if (!(await store.meta.get('bootstrap')) && (await store.accounts.list()).length > 0) return false;
  const accountId = newAccountId(nodeRandom);
  if ((await store.meta.claim('bootstrap', accountId)) !== accountId) {
    const deadline = Date.now() + 30_000;
    while (!(await store.meta.get('bootstrapped'))) {
      if (Date.now() > deadline)
        throw new Error(
          'another process claimed the first start of this store and has not finished it in 30 s (if it died, ' +
            "remove the store's `bootstrap` meta row and its partial management account, or start from an empty database)",
        );
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }
  const createdAt = isoTimestamp(clock.now());
  await store.accounts.create({ accountId, name: 'management', role: 'management', createdAt });
  const key = newAccessKey(nodeRandom);
  await store.accessKeys.create({
    ...key,
    accountId,
    principalArn: iamRootArn(accountId),
    status: 'Active',
    createdAt,
  });
  await store.meta.set('managementAccountId', accountId);
  return true;
}

async function credentialsOf(store: Store, endpoint: string): Promise<CredentialsFile> {
  const accounts: CredentialsFile['accounts'] = [];
  for (const a of await store.accounts.list()) {
    const key = (await store.accessKeys.listForAccount(a.accountId)).find((k) => k.status === 'Active');
    if (key)
      accounts.push({
        accountId: a.accountId,
        name: a.name,
        role: a.role,
        accessKeyId: key.accessKeyId,
        secretAccessKey: key.secretAccessKey,
      });
  }
  return { accounts, region: DEFAULT_REGION, endpoint };
}

export { describeDatabase } from './database-url.ts';

/** The demo organization of `parapet serve` (first start only). */
export async function createDemoOrganization(s: Services): Promise<void> {
  const managementAccountId = await s.store.meta.get('managementAccountId');
  if (!managementAccountId) return;
  const key = (await s.store.accessKeys.listForAccount(managementAccountId))[0];
  if (!key) return;
  const ctx = {
    requestId: 'parapet-demo-setup',
    caller: { accountId: managementAccountId, principalArn: key.principalArn, accessKeyId: key.accessKeyId, region: DEFAULT_REGION },
  };
  const orgs = s.organizations;
  await orgs.createOrganization(ctx, { FeatureSet: 'ALL' });
  const rootId = (await orgs.listRoots(ctx)).Roots[0]?.Id;
  if (!rootId) return;
  const ou = await orgs.createOrganizationalUnit(ctx, { ParentId: rootId, Name: 'Engineering' });
  for (const [name, parent] of [
    ['team-a', ou.OrganizationalUnit.Id],
    ['team-b', rootId],
  ] as const) {
    const status = await orgs.createAccount(ctx, { AccountName: name, Email: `${name}@demo.parapet.invalid` });
    const accountId = status.CreateAccountStatus.AccountId;
    if (!accountId) continue;
    if (parent !== rootId)
      await orgs.moveAccount(ctx, { AccountId: accountId, SourceParentId: rootId, DestinationParentId: parent });
    await s.accounts.createRootKey(accountId);
  }
  await enforceDemoGuardrail(s, ctx, rootId);
}

/** The exact text the demo guardrail answers with, so a demo shows at a glance who intervened. */
export const DEMO_BLOCKED_INPUT = 'Parapet demo: the organization guardrail blocked this prompt.';
export const DEMO_BLOCKED_OUTPUT = 'Parapet demo: the organization guardrail blocked this answer.';

/**
 * The demo organization's enforced guardrail: content filters and prompt attack, a denied code name, e-mail
 * addresses masked, SSNs and card numbers blocked; published as version 1, shared with the organization by a
 * resource-based policy, and enforced on every account in us-east-1 by a BEDROCK_POLICY on the root.
 */
async function enforceDemoGuardrail(
  s: Services,
  ctx: { requestId: string; caller: Caller },
  rootId: string,
): Promise<void> {
  const strength = 'HIGH' as const;
  const g = await s.guardrails.create(ctx.caller, {
    name: 'parapet-demo-baseline',
    description: 'Demo organization baseline, enforced on every account in us-east-1.',
    blockedInputMessaging: DEMO_BLOCKED_INPUT,
    blockedOutputsMessaging: DEMO_BLOCKED_OUTPUT,
    contentPolicyConfig: {
      filtersConfig: (['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT'] as const)
        .map((type) => ({ type, inputStrength: strength, outputStrength: strength }))
        .concat([{ type: 'PROMPT_ATTACK' as never, inputStrength: strength, outputStrength: 'NONE' as never }]),
    },
    wordPolicyConfig: { wordsConfig: [{ text: 'project nightingale' }], managedWordListsConfig: [{ type: 'PROFANITY' }] },
    sensitiveInformationPolicyConfig: {
      piiEntitiesConfig: [
        { type: 'EMAIL', action: 'ANONYMIZE' },
        { type: 'PHONE', action: 'ANONYMIZE' },
        { type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCK' },
        { type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'BLOCK' },
      ],
    },
  } as never);
  await s.guardrails.createVersion(ctx.caller, g.guardrailId, { description: 'demo v1' });
  const org = await s.organizations.describeOrganization(ctx);
  await s.resourcePolicies.put(ctx.caller, {
    resourceArn: g.guardrailArn,
    resourcePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OrganizationMayApply',
          Effect: 'Allow',
          Principal: '*',
          Action: ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'],
          Resource: g.guardrailArn,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': org.Organization.Id } },
        },
      ],
    }),
  });
  await s.organizations.enablePolicyType(ctx, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' });
  const policy = await s.organizations.createPolicy(ctx, {
    Name: 'demo-baseline',
    Description: 'Enforce parapet-demo-baseline v1 on every account in us-east-1',
    Type: 'BEDROCK_POLICY',
    Content: JSON.stringify({
      bedrock: { guardrail_inference: { [DEFAULT_REGION]: { baseline: { identifier: { '@@assign': `${g.guardrailArn}:1` } } } } },
    }),
  });
  await s.organizations.attachPolicy(ctx, { PolicyId: policy.Policy.PolicySummary.Id, TargetId: rootId });
}

/**
 * Applies the store's change feed (every replica's commits, this one's included) to this process's caches:
 * deleted guardrail versions leave the compiled cache, changed access keys the key cache, and after a gap in
 * the feed (`resync`) both are emptied. (The read cache follows the store's change count, which every event
 * bumps.) Returns the unsubscribe function.
 */
export function followChanges(feed: ChangeFeed, caches: { compiled: CompiledCache; forgetKey(accessKeyId?: string): void }): () => void {
  return feed.subscribe((event) => {
    switch (event.kind) {
      case 'guardrailDeleted':
        caches.compiled.forget(event.guardrailArn, event.version);
        break;
      case 'accessKeyChanged':
        caches.forgetKey(event.accessKeyId);
        break;
      case 'resync':
        // Only deletions can make a compiled published version stale, and any may have been missed.
        caches.compiled.clear();
        caches.forgetKey();
        break;
      case 'changed':
        break;
    }
  });
}

export function createServices(rawStore: Store, clock: Clock, random: Random = nodeRandom): Services {
  // Hot reads (organization position, policies, enforcement) are cached until the next write, at most 1 s.
  const store = withReadCache(rawStore);
  const compiled = createCompiledCache();
  const authz = new Authorizer(store, clock);
  const audit = new AuditTrail(store, clock);
  const services = {
    store,
    clock,
    random,
    monotonic,
    compiled,
    authz,
    audit,
    accounts: new AccountService({ store, clock, random }),
    guardrails: new GuardrailService({ store, clock, random, compiled, authz, inUse: inUseCheck(store), audit }),
    tags: new TagService(store, authz),
  } as Omit<Services, 'enforcement' | 'resourcePolicies' | 'organizations' | 'verify' | 'admin'> as Services;
  services.enforcement = new EnforcementService(services);
  services.resourcePolicies = new ResourcePolicyService(services);
  services.organizations = new OrganizationService(services);
  services.verify = new VerifyService(services, services.organizations);
  services.admin = new AdminService(services);
  return services;
}

export function createGateway(
  services: Services,
  opts: {
    models?: ModelsFile;
    quotas?: QuotaSettings;
    /** Where the quota counters live (default: this process). */
    quotaBackend?: QuotaBackend;
    gateway?: Partial<GatewaySettings>;
    auditRepo?: Pick<AuditRepo, 'appendMany'>;
    detectors?: DetectorRegistry;
    log?: (line: Record<string, unknown>) => void;
    assessor?: Assessor;
  } = {},
): InvocationGateway {
  return new InvocationGateway({
    services,
    ...(opts.assessor ? { assessor: opts.assessor } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.auditRepo ? { auditRepo: opts.auditRepo } : {}),
    ...(opts.detectors?.size ? { detectors: opts.detectors } : {}),
    org: services.organizations,
    models: new ProviderRegistry(opts.models ?? defaultModelsFile(), { defaultRegion: DEFAULT_REGION }),
    quotas: new AccountQuotas(opts.quotas ?? {}, services.clock, opts.quotaBackend),
    metrics: new GatewayMetrics(),
    settings: { ...DEFAULT_GATEWAY_SETTINGS, ...opts.gateway },
  });
}

export function allOperations(s: Services, gateway: InvocationGateway): Operation[] {
  return [
    ...bedrockControlOperations(s),
    ...bedrockRuntimeOperations({
      guardrails: s.guardrails,
      compiled: s.compiled,
      monotonic: s.monotonic,
      gateway,
      ...(gateway.deps.detectors ? { detectors: gateway.deps.detectors } : {}),
      ...(gateway.deps.assessor ? { assessor: gateway.deps.assessor } : {}),
    }),
    ...converseOperations(gateway),
    ...invokeModelOperations(gateway),
    ...openAIOperations(gateway),
    ...organizationsOperations(s),
    ...stsOperations(s),
    ...iamOperations(s),
    ...adminOperations(s),
  ];
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  // Detectors load first: a model that cannot serve stops the start before anything is opened.
  const detectors = opts.detectors?.detectors.length ? await loadDetectors(opts.detectors) : undefined;
  // Assessment threads start (and warm up, about a second) while the store opens; a pool that cannot start stops
  // the start before the server listens.
  const fromEnv = assessmentSettingsFromEnv();
  const threads = opts.assessmentThreads ?? fromEnv.threads ?? 0;
  const inlineBelowChars = opts.assessmentInlineChars ?? fromEnv.inlineBelowChars;
  const startingPool = threads
    ? AssessmentPool.start({
        threads,
        ...(inlineBelowChars !== undefined ? { inlineBelowChars } : {}),
        onEvent: opts.log ?? ((l) => process.stderr.write(`warning: ${String(l.detail)}\n`)),
      })
    : undefined;
  startingPool?.catch(() => undefined); // awaited below; a start that fails before then must not go unhandled
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const masterKey = loadOrCreateMasterKey(dataDir, opts.masterKey);
  const cipher = createAesGcmCipher(masterKey);
  const dbFile = join(dataDir, 'parapet.db');
  const database = opts.database ? describeDatabase(opts.database) : undefined;
  if (opts.redis) describeRedis(opts.redis); // a bad URL stops the start before anything is opened
  const store = database
    ? await openPostgresStore({
        connectionString: opts.database ?? '',
        cipher,
        ...(opts.databaseSchema ? { schema: opts.databaseSchema } : {}),
        changeFeed: { onError: (err) => opts.log?.({ error: 'ChangeFeed', detail: err.message }) },
        ...(opts.databaseTimeouts?.connectMs !== undefined ? { connectTimeoutMs: opts.databaseTimeouts.connectMs } : {}),
        ...(opts.databaseTimeouts?.queryMs !== undefined ? { queryTimeoutMs: opts.databaseTimeouts.queryMs } : {}),
      })
    : await openSqliteStore({ filename: dbFile, cipher });
  if (!database) for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  const bootstrapped = await bootstrap(store, clock);

  const services = createServices(store, clock);
  // Replicas on one PostgreSQL store hear each other's changes at once; the key cache joins once it exists.
  let forgetKey: (accessKeyId?: string) => void = () => {};
  const unfollow = store.changes
    ? followChanges(store.changes, { compiled: services.compiled, forgetKey: (id) => forgetKey(id) })
    : undefined;
  if (bootstrapped && opts.demo) await createDemoOrganization(services);
  if (bootstrapped) await store.meta.set('bootstrapped', isoTimestamp(clock.now()));
  // SQLite: invocation records are hashed and written on their own thread, off the event loop that answers
  // calls. PostgreSQL: the database does the work; batches go straight to it.
  const auditWorker = database
    ? undefined
    : new WorkerAuditRepo(dbFile, store.audit, (err) =>
        opts.log?.({ error: 'AuditWorkerFailed', detail: err instanceof Error ? err.message : String(err) }),
      );
  // Quota counters: Redis if given, else the PostgreSQL store, else this process (failure policy: quotas.ts).
  const quotaBackend = opts.quotas?.disabled
    ? undefined
    : await openQuotaCounters({
        ...(opts.redis ? { redis: opts.redis } : {}),
        ...(opts.database ? { database: opts.database, ...(opts.databaseSchema ? { databaseSchema: opts.databaseSchema } : {}) } : {}),
        clock,
        warn: opts.log ?? ((l) => process.stderr.write(`warning: ${String(l.detail)}\n`)),
      });
  const assessor = await startingPool;
  const gateway = createGateway(services, { models: opts.models, quotas: opts.quotas, quotaBackend, gateway: opts.gateway, ...(auditWorker ? { auditRepo: auditWorker } : {}), detectors, log: opts.log, ...(assessor ? { assessor } : {}) });
  services.pendingAudit = gateway;
  if (gateway.deps.settings.failOpen.size)
    await services.audit.record({
      accountId: (await store.meta.get('managementAccountId')) ?? '000000000000',
      principalArn: 'parapet:operator',
      action: 'parapet:ConfigureFailOpen',
      outcome: 'Success',
      detail: { failOpen: [...gateway.deps.settings.failOpen].sort() },
    });
  const identity = new IdentityService(services);
  const consoleFiles = loadConsoleFiles(opts.consoleDir ?? DEFAULT_CONSOLE_DIR);
  const handler = createHandler({
    store,
    clock,
    ...(opts.authFailureLimits !== undefined ? { authFailureLimits: opts.authFailureLimits } : {}),
    regions: opts.regions ?? parseRegions(undefined),
    log: opts.log,
    operations: allOperations(services, gateway),
    defaultRegion: DEFAULT_REGION,
    metrics: gateway.deps.metrics,
    readiness: storeReadiness(store),
    console: {
      sessions: new ConsoleSessions(masterKey, clock, opts.consoleSessionTtlMs),
      files: consoleFiles,
      assumeRole: async (caller, roleArn, roleSessionName) => {
        const out = await identity.assumeRole(caller, { roleArn, roleSessionName, durationSeconds: 3600 });
        return { accessKeyId: out.Credentials.AccessKeyId, expiresAt: Date.parse(out.Credentials.Expiration) };
      },
    },
  });

  forgetKey = handler.forgetKey;

  const dual = createDualServer(handler);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((res, rej) => {
    dual.server.once('error', rej);
    dual.server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      dual.server.off('error', rej);
      res();
    });
  });
  const port = (dual.server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const credentials = await credentialsOf(store, url);
  const credentialsPath = join(dataDir, 'credentials.json');
  const existed = existsSync(credentialsPath);
  writeFileSync(credentialsPath, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  if (existed) chmodSync(credentialsPath, 0o600);

  return {
    url,
    port,
    dataDir,
    credentialsPath,
    credentials,
    bootstrapped,
    store,
    services,
    gateway,
    database: database ?? `${dbFile} (SQLite)`,
    quotaCounters: quotaBackend?.where ?? 'off',
    console: { built: consoleFiles.built, dir: consoleFiles.dir },
    assessmentThreads: threads,
    async close() {
      await dual.close();
      // Calls cut short by the close still finish their work (their audit records above all) before the store goes.
      if (!(await handler.idle(10_000))) opts.log?.({ error: 'CloseTimeout', detail: 'requests still running after 10 s' });
      await gateway.drain();
      await gateway.deps.quotas.close();
      await auditWorker?.close();
      unfollow?.();
      await store.close();
      await detectors?.close();
      await assessor?.close();
    },
  };
}
