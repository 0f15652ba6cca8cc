/**
 * The mutation engine: a fuzz case is a catalogue entry (a valid request), up to a few mutations of its body,
 * path, query, method and headers, an authentication mode and a transport. `buildCase` applies them and signs
 * the result as it will be sent (so most requests pass authentication and reach the operation code), except for
 * the modes that sign wrongly on purpose.
 */
import fc from 'fast-check';
import {
  badJsonText,
  type FuzzValue,
  invalidToken,
  invalidUtf8,
  oddContentType,
  oddHeaderValue,
  oddId,
  oddMethod,
  oddSegment,
  oddString,
  type RawToken,
  wrongValue,
} from './arbitraries.ts';
import { type CatalogueEntry, fillPath } from './catalogue.ts';
import { type Endpoint, sign, type Transport, type WireRequest } from './wire.ts';

export type Mutation =
  | { k: 'setValue'; pick: number; value: FuzzValue }
  | { k: 'drop'; pick: number }
  | { k: 'dupKey'; pick: number; value: FuzzValue }
  | { k: 'addMember'; pick: number; name: string; value: FuzzValue }
  | { k: 'deepNest'; pick: number; depth: number; shape: 'array' | 'object' | 'mixed' }
  | { k: 'wide'; pick: number; n: number }
  | { k: 'hugeString'; pick: number; size: number; char: string }
  | { k: 'invalidToken'; pick: number; token: RawToken }
  | { k: 'bodyText'; text: string }
  | { k: 'truncate'; at: number }
  | { k: 'badUtf8'; at: number; bytes: number[] }
  | { k: 'label'; pick: number; value: string; encoding: 'sdk' | 'raw' | 'double' }
  | { k: 'segment'; at: number; seg: string; replace: boolean }
  | { k: 'query'; key: string; value: string; raw: boolean }
  | { k: 'method'; method: string }
  | { k: 'header'; name: string; value: string; afterSign: boolean }
  | { k: 'hugeHeader'; size: number }
  | { k: 'manyHeaders'; n: number }
  | { k: 'contentType'; value: string }
  | { k: 'target'; value: string }
  | { k: 'formParam'; key: string; value: string; op: 'set' | 'drop' | 'dup' }
  | { k: 'queryForm' };

export type AuthMode =
  | 'signed'
  | 'unsigned'
  | 'wrongSecret'
  | 'unknownKey'
  | 'garbage'
  | 'expired'
  | 'wrongService'
  | 'wrongRegion'
  | 'tamper'
  | 'sessionToken';

export interface FuzzCase {
  entry: number;
  mutations: Mutation[];
  auth: AuthMode;
  garbageAuth: string;
  transport: Transport;
}

/** Mutations that touch only the body: with them alone the request still reaches its operation. */
const BODY_KINDS = new Set(['setValue', 'drop', 'dupKey', 'addMember', 'deepNest', 'wide', 'hugeString', 'invalidToken', 'bodyText', 'truncate', 'badUtf8', 'formParam']);

const pick = fc.nat({ max: 10_000 });
const headerName = fc.oneof(
  fc.constantFrom(
    'x-amz-target',
    'x-amz-security-token',
    'x-amz-content-sha256',
    'x-amz-date',
    'authorization',
    'cookie',
    'content-encoding',
    'transfer-encoding',
    'expect',
    'x-amzn-bedrock-guardrailidentifier',
    'x-amzn-bedrock-guardrailversion',
    'x-amzn-bedrock-trace',
    'x-amzn-bedrock-accept',
    'x-parapet-region',
    'x-parapet-stream-processing-mode',
    'accept',
    'host',
    'x-forwarded-for',
  ),
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => `x-fuzz-${s.replace(/[^a-z0-9-]/gi, 'a')}`),
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ k: fc.constant('setValue' as const), pick, value: wrongValue }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('drop' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('dupKey' as const), pick, value: wrongValue }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('addMember' as const), pick, name: oddString, value: wrongValue }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('deepNest' as const),
      pick,
      depth: fc.oneof(fc.integer({ min: 10, max: 200 }), fc.integer({ min: 1_000, max: 20_000 }), fc.integer({ min: 50_000, max: 200_000 })),
      shape: fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('wide' as const), pick, n: fc.oneof(fc.integer({ min: 100, max: 2_000 }), fc.integer({ min: 10_000, max: 60_000 })) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('hugeString' as const),
      pick,
      size: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1_000, max: 70_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 200_000, max: 1_200_000 }) }),
      char: fc.constantFrom('a', 'é', '🙂', '\u0000', '"', '\\', ' '),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('invalidToken' as const), pick, token: invalidToken }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('bodyText' as const), text: badJsonText }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('badUtf8' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: invalidUtf8 }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('label' as const), pick, value: oddId, encoding: fc.constantFrom('sdk' as const, 'raw' as const, 'double' as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('segment' as const), at: pick, seg: oddSegment, replace: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('query' as const),
      key: fc.oneof(fc.constantFrom('maxResults', 'nextToken', 'guardrailVersion', 'guardrailIdentifier', 'limit', 'before', 'model', 'Action', 'X-Amz-Signature', 'since'), oddString),
      value: fc.oneof(fc.constantFrom('-1', '0', '1e309', 'NaN', '99999999999999999999', '%zz', '', 'DRAFT', '0x10', ' 1'), oddString),
      raw: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('method' as const), method: oddMethod }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('header' as const), name: headerName, value: oddHeaderValue, afterSign: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('hugeHeader' as const), size: fc.oneof(fc.integer({ min: 8_000, max: 30_000 }), fc.integer({ min: 64 * 1024, max: 200 * 1024 })) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('manyHeaders' as const), n: fc.integer({ min: 100, max: 3_000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('contentType' as const), value: oddContentType }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('target' as const), value: fc.oneof(oddString, fc.constantFrom('AWSOrganizationsV20161128.', 'AWSOrganizationsV20161128.constructor', 'AWSOrganizationsV20161128.__proto__', 'AWSOrganizationsV20161128.hasOwnProperty', 'awsorganizationsv20161128.ListAccounts', 'AWSOrganizationsV20161128.ListAccounts ', 'AWSSecurityTokenServiceV20110615.GetCallerIdentity')) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('formParam' as const),
      key: fc.oneof(fc.constantFrom('Action', 'Version', 'UserName', 'RoleArn', 'RoleSessionName', 'DurationSeconds', 'MaxItems', 'Marker', 'PolicyDocument', 'PolicyArns.member.1.arn', 'Tags.member.1.Key', 'Status', 'AccessKeyId', 'Path', 'PathPrefix'), oddString),
      value: oddString,
      op: fc.constantFrom('set' as const, 'drop' as const, 'dup' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ k: 'queryForm' as const }) },
);

const authArb: fc.Arbitrary<AuthMode> = fc.oneof(
  { weight: 40, arbitrary: fc.constant('signed' as const) },
  {
    weight: 10,
    arbitrary: fc.constantFrom<AuthMode>('unsigned', 'wrongSecret', 'unknownKey', 'garbage', 'expired', 'wrongService', 'wrongRegion', 'tamper', 'sessionToken'),
  },
);

const transportArb: fc.Arbitrary<Transport> = fc.oneof(
  { weight: 40, arbitrary: fc.constant({ kind: 'agent' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'raw' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('slow' as const), chunks: fc.integer({ min: 2, max: 6 }), delayMs: fc.integer({ min: 5, max: 150 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cut' as const), bytes: fc.nat({ max: 200 }), halfClose: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('declared' as const), length: fc.integer({ min: 26_000_000, max: 2 ** 40 }), waitMs: fc.constant(3_000) }) },
);

/**
 * Cases over the catalogue entries whose families are `families` (entry i is of family `families[i]`): a family
 * first, evenly, then an operation of it, so the one-operation families (OpenAI) get their share.
 */
export function caseArb(families: readonly string[]): fc.Arbitrary<FuzzCase> {
  const groups = [...new Set(families)].map((f) => families.flatMap((g, i) => (g === f ? [i] : [])));
  return fc.record({
    entry: fc.constantFrom(...groups).chain((g) => fc.constantFrom(...g)),
    mutations: fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 12, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }),
    auth: authArb,
    garbageAuth: oddHeaderValue,
    transport: transportArb,
  });
}

// ---------------------------------------------------------------- applying mutations

type Json = FuzzValue;
const PLACEHOLDER = (i: number) => `\u0001FUZZ${i}\u0001`;

interface Slot {
  parent: Json[] | Record<string, Json>;
  key: string | number;
}

/** Every place a value sits in `root` (depth-first, at most 500). */
function slots(root: Json): Slot[] {
  const out: Slot[] = [];
  const walk = (v: Json) => {
    if (out.length >= 500 || v === null || typeof v !== 'object' || 'raw' in (v as object)) return;
    if (Array.isArray(v)) v.forEach((c, i) => (out.push({ parent: v, key: i }), walk(c)));
    else for (const [k, c] of Object.entries(v as Record<string, Json>)) out.push({ parent: v as Record<string, Json>, key: k }), walk(c);
  };
  walk(root);
  return out;
}

function setSlot(s: Slot, v: Json): void {
  (s.parent as Record<string | number, Json>)[s.key] = v;
}

function deep(depth: number, shape: 'array' | 'object' | 'mixed'): RawToken {
  if (shape === 'array') return { raw: '['.repeat(depth) + ']'.repeat(depth) };
  if (shape === 'object') return { raw: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) };
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    if (i % 2) (open.push('['), close.push(']'));
    else (open.push('{"text":'), close.push('}'));
  }
  return { raw: open.join('') + '"x"' + close.reverse().join('') };
}

/** Serialize with raw tokens spliced in, and duplicate keys appended where asked. */
function serialize(body: Json, tokens: RawToken[]): string {
  let text = JSON.stringify(body, (_k, v: unknown) => {
    if (v && typeof v === 'object' && 'raw' in v && typeof (v as RawToken).raw === 'string' && Object.keys(v).length === 1) {
      tokens.push(v as RawToken);
      return PLACEHOLDER(tokens.length - 1);
    }
    return v;
  });
  tokens.forEach((t, i) => {
    text = text.replace(JSON.stringify(PLACEHOLDER(i)), () => t.raw);
  });
  return text;
}

export interface BuiltCase {
  wire: WireRequest;
  /** Error types the answer must have (one of), when the case determines it. */
  expectTypes?: readonly string[];
  /** The client cut the request: no answer is owed. */
  cut: boolean;
  describe: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const clone = <T>(v: T): T => structuredClone(v);

/** encodeURIComponent, with lone surrogates (which it refuses) sent as U+FFFD. */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

export async function buildCase(ep: Endpoint, entry: CatalogueEntry, c: FuzzCase, creds: Credentials): Promise<BuiltCase> {
  let method = entry.method;
  const labels = { ...entry.labels };
  const labelNames = Object.keys(labels);
  let query = Object.entries(entry.query).map(([k, v]) => `${enc(k)}=${enc(v)}`);
  const headers = new Map<string, string>(Object.entries(entry.headers));
  const extraHeaders: Array<[string, string]> = [];
  const afterSign: Array<[string, string]> = [];
  const isForm = entry.protocol === 'awsQuery';
  let body: Json = clone(entry.body) as Json;
  let form: Array<[string, string]> = isForm ? Object.entries(entry.body as Record<string, string>) : [];
  let bodyText: string | undefined;
  const dupKeys: Array<{ pick: number; value: Json }> = [];
  let labelOverride: Array<{ name: string; raw: string }> = [];
  const segmentOps: Array<{ at: number; seg: string; replace: boolean }> = [];
  let formInQuery = false;
  headers.set('content-type', isForm ? 'application/x-www-form-urlencoded; charset=utf-8' : entry.protocol === 'awsJson1_1' ? 'application/x-amz-json-1.1' : 'application/json');
  if (entry.target) headers.set('x-amz-target', entry.target);

  for (const m of c.mutations) {
    switch (m.k) {
      case 'setValue':
      case 'drop':
      case 'addMember':
      case 'deepNest':
      case 'wide':
      case 'hugeString':
      case 'invalidToken': {
        if (isForm) {
          if (m.k === 'hugeString') form.push(['Policy', m.char.repeat(m.size)]);
          continue;
        }
        const all = slots(body);
        const s = all.length ? all[m.pick % all.length] : undefined;
        const put = (v: Json) => (s ? setSlot(s, v) : ((body as Record<string, Json>)['fuzz'] = v));
        if (m.k === 'setValue') put(clone(m.value));
        else if (m.k === 'drop') {
          if (s && Array.isArray(s.parent)) s.parent.splice(Number(s.key), 1);
          else if (s) delete (s.parent as Record<string, Json>)[s.key as string];
        } else if (m.k === 'addMember') {
          const target = s && s.parent && !Array.isArray(s.parent) ? s.parent : (body as Record<string, Json>);
          if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, Json>)[m.name] = clone(m.value);
        } else if (m.k === 'deepNest') put(deep(m.depth, m.shape));
        else if (m.k === 'wide') put({ raw: `[${Array.from({ length: m.n }, (_, i) => (i % 2 ? '{"text":"x"}' : '"x"')).join(',')}]` });
        else if (m.k === 'hugeString') put(m.char.repeat(m.size));
        else put(m.token);
        break;
      }
      case 'dupKey':
        dupKeys.push({ pick: m.pick, value: m.value });
        break;
      case 'bodyText':
        bodyText = m.text;
        break;
      case 'truncate':
      case 'badUtf8':
        break; // byte-level, below
      case 'label': {
        if (!labelNames.length) {
          segmentOps.push({ at: m.pick, seg: enc(m.value), replace: false });
          break;
        }
        const name = labelNames[m.pick % labelNames.length] ?? '';
        const raw = m.encoding === 'sdk' ? enc(m.value) : m.encoding === 'double' ? enc(enc(m.value)) : m.value;
        labelOverride = [...labelOverride.filter((l) => l.name !== name), { name, raw }];
        break;
      }
      case 'segment':
        segmentOps.push({ at: m.at, seg: m.seg, replace: m.replace });
        break;
      case 'query':
        query.push(m.raw ? `${m.key}=${m.value}` : `${enc(m.key)}=${enc(m.value)}`);
        break;
      case 'method':
        method = m.method;
        break;
      case 'header':
        (m.afterSign ? afterSign : extraHeaders).push([m.name, m.value]);
        break;
      case 'hugeHeader':
        afterSign.push(['x-fuzz-huge', 'h'.repeat(m.size)]);
        break;
      case 'manyHeaders':
        for (let i = 0; i < m.n; i++) afterSign.push([`x-fuzz-${i}`, String(i)]);
        break;
      case 'contentType':
        headers.set('content-type', m.value);
        break;
      case 'target':
        headers.set('x-amz-target', m.value);
        break;
      case 'formParam':
        if (!isForm) {
          bodyText = `${m.key}=${m.value}`;
          break;
        }
        if (m.op === 'drop') form = form.filter(([k]) => k !== m.key);
        else if (m.op === 'dup') form.push([m.key, m.value]);
        else form = [...form.filter(([k]) => k !== m.key), [m.key, m.value]];
        break;
      case 'queryForm':
        if (isForm) formInQuery = true;
        break;
    }
  }

  // The body bytes.
  if (bodyText === undefined) {
    if (isForm) bodyText = form.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
    else {
      const tokens: RawToken[] = [];
      bodyText = serialize(body, tokens);
      for (const d of dupKeys) {
        // `{"k":v, ...}` → `{"k":<dup>,"k":v, ...}` at the d.pick-th object opening.
        const opens: RegExpMatchArray[] = [...bodyText.matchAll(/\{"([^"\\]*)":/g)];
        const o: RegExpMatchArray | undefined = opens.length ? opens[d.pick % opens.length] : undefined;
        if (o && o.index !== undefined) {
          const dupTokens: RawToken[] = [];
          const dup = serialize(clone(d.value), dupTokens);
          bodyText = `${bodyText.slice(0, o.index + 1)}"${o[1]}":${dup},${bodyText.slice(o.index + 1)}`;
        }
      }
    }
  }
  let bodyBytes = Buffer.from(bodyText, 'utf8');
  for (const m of c.mutations) {
    if (m.k === 'truncate') bodyBytes = bodyBytes.subarray(0, Math.floor(bodyBytes.length * m.at));
    if (m.k === 'badUtf8') {
      const at = Math.floor(bodyBytes.length * m.at);
      bodyBytes = Buffer.concat([bodyBytes.subarray(0, at), Buffer.from(m.bytes), bodyBytes.subarray(at)]);
    }
  }
  if (formInQuery) {
    query.push(bodyBytes.toString('latin1'));
    bodyBytes = Buffer.alloc(0);
    method = 'GET';
  }
  if (method === 'GET' && entry.method === 'GET' && !bodyBytes.length) headers.delete('content-type');

  // The path.
  let path = fillPath(entry.template, labels, enc);
  if (labelOverride.length) {
    path = entry.template.replace(/\{([^}]+)\}/g, (_, name: string) => labelOverride.find((l) => l.name === name)?.raw ?? enc(labels[name] ?? ''));
  }
  for (const s of segmentOps) {
    const segs = path.split('/');
    const i = 1 + (s.at % Math.max(1, segs.length));
    if (s.replace && i < segs.length) segs[i] = s.seg;
    else segs.splice(Math.min(i, segs.length), 0, s.seg);
    path = segs.join('/');
  }
  if (!path.startsWith('/') && !path.startsWith('*')) path = `/${path}`;
  // Lone surrogates cannot be sent (nor signed): they go as U+FFFD.
  const target = (query.length ? `${path}?${query.join('&')}` : path).replace(/[\ud800-\udfff]/g, (c, i: number, all: string) => {
    const code = c.charCodeAt(0);
    const pair = code < 0xdc00 ? /[\udc00-\udfff]/.test(all[i + 1] ?? '') : /[\ud800-\udbff]/.test(all[i - 1] ?? '');
    return pair ? c : '\ufffd';
  });

  const wire: WireRequest = {
    method,
    path: target,
    headers: [...headers.entries(), ...extraHeaders],
    body: bodyBytes,
    transport: c.transport,
  };

  // Authentication.
  const sigService = entry.signingName;
  const signWith = async (o: Partial<Credentials & { service: string; signingDate: Date }>) =>
    sign(ep, wire, {
      accessKeyId: o.accessKeyId ?? creds.accessKeyId,
      secretAccessKey: o.secretAccessKey ?? creds.secretAccessKey,
      region: o.region ?? creds.region,
      service: o.service ?? sigService,
      ...(o.signingDate ? { signingDate: o.signingDate } : {}),
    });
  const bearer = entry.auth === 'bearer';
  switch (c.auth) {
    case 'signed':
      wire.headers = bearer ? [...wire.headers, ['authorization', `Bearer ${creds.accessKeyId}:${creds.secretAccessKey}`]] : await signWith({});
      break;
    case 'unsigned':
      break;
    case 'wrongSecret':
      wire.headers = bearer ? [...wire.headers, ['authorization', `Bearer ${creds.accessKeyId}:${creds.secretAccessKey}x`]] : await signWith({ secretAccessKey: `${creds.secretAccessKey}x` });
      break;
    case 'unknownKey':
      wire.headers = bearer ? [...wire.headers, ['authorization', 'Bearer AKIAFUZZUNKNOWN00000:secret']] : await signWith({ accessKeyId: 'AKIAFUZZUNKNOWN00000' });
      break;
    case 'garbage':
      wire.headers = [...wire.headers, ['authorization', c.garbageAuth]];
      break;
    case 'expired':
      wire.headers = await signWith({ signingDate: new Date(Date.now() - 3_600_000) });
      break;
    case 'wrongService':
      wire.headers = await signWith({ service: sigService === 'bedrock' ? 'sts' : 'bedrock' });
      break;
    case 'wrongRegion':
      wire.headers = await signWith({ region: 'zz-fuzz-1' });
      break;
    case 'tamper': {
      wire.headers = bearer ? [...wire.headers, ['authorization', `Bearer ${creds.accessKeyId}:${creds.secretAccessKey}`]] : await signWith({});
      wire.body = Buffer.concat([wire.body, Buffer.from(' ')]);
      break;
    }
    case 'sessionToken':
      wire.headers = [...(bearer ? [...wire.headers, ['authorization', `Bearer ${creds.accessKeyId}:${creds.secretAccessKey}:FwoGZXIvYXdzEFUZZ`] as [string, string]] : await signWith({})), ['x-amz-security-token', 'FwoGZXIvYXdzEFUZZ']];
      break;
  }
  wire.headers = wire.headers.filter(([k]) => k.toLowerCase() !== 'host').concat([['host', `${ep.host}:${ep.port}`]]);
  wire.headers.push(...afterSign);

  // What the answer must be, where the case alone decides it.
  const clean = c.mutations.every((m) => BODY_KINDS.has(m.k)) && c.transport.kind !== 'cut';
  let expectTypes: readonly string[] | undefined;
  const declaredTooLarge = c.transport.kind === 'declared' && c.transport.length > entry.bodyLimitBytes;
  const tooLarge = declaredTooLarge || wire.body.length > entry.bodyLimitBytes;
  if (clean) {
    if (c.auth === 'unsigned') expectTypes = bearer ? ['UnrecognizedClientException'] : ['MissingAuthenticationTokenException'];
    else if (c.auth === 'unknownKey') expectTypes = ['UnrecognizedClientException'];
    else if (tooLarge && c.auth === 'signed') expectTypes = ['RequestEntityTooLargeException'];
    else if (!tooLarge && !bearer && (c.auth === 'wrongSecret' || c.auth === 'tamper' || c.auth === 'expired' || c.auth === 'wrongService' || c.auth === 'wrongRegion'))
      expectTypes = ['InvalidSignatureException'];
    else if (!tooLarge && c.auth === 'signed' && !entry.rawBody && !isForm && !jsonObject(wire.body)) expectTypes = ['SerializationException'];
  }
  return { wire, ...(expectTypes ? { expectTypes } : {}), cut: c.transport.kind === 'cut', describe: describeCase(entry, c) };
}

/** Whether the server's JSON reader accepts `body` (empty, or UTF-8 JSON text of an object). */
function jsonObject(body: Buffer): boolean {
  if (body.length === 0) return true;
  try {
    const v: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

export function describeCase(entry: CatalogueEntry, c: FuzzCase): string {
  const short = (v: unknown) => {
    const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.length > 60 ? `${x.slice(0, 60)}…(${x.length})` : x));
    return s.length > 400 ? `${s.slice(0, 400)}…` : s;
  };
  return `${entry.name} auth=${c.auth} transport=${short(c.transport)} mutations=${short(c.mutations)}`;
}
