/**
 * Internet identifiers: e-mail address, IP address (v4 and v6), MAC address, URL.
 *
 * E-mail and URL use hand-written, bounded scanners around an anchor ('@', "://", "www.")
 * instead of one big regex, so they stay linear on adversarial input.
 */
import type { Detector, PiiFinding, ScanInput } from '../detector.ts';
import { clampScore } from '../detector.ts';
import { contextScorer, forEachMatch, isAsciiAlnum, isDigitCode } from '../scan-util.ts';

// Local aliases: hot loops call these directly (no module-binding indirection).
const isAlnum = isAsciiAlnum;
const isDigit = isDigitCode;

// ---------------------------------------------------------------------------------------------
// EMAIL
// ---------------------------------------------------------------------------------------------

/** Local-part characters accepted in running text (a practical subset of RFC 5322 atext). */
function isLocalChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === 46 /* . */ || c === 95 /* _ */ || c === 37 /* % */ || c === 43 /* + */ || c === 45 /* - */
  );
}

const NON_ASCII_LETTER = /\p{L}|\p{M}/u;

function isDomainChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46) return true;
  return c >= 0x80 && NON_ASCII_LETTER.test(text[i] ?? '');
}

const LABEL_RE = /^(?:[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]{0,61}[A-Za-z0-9\u0080-\uffff])?)$/;
const TLD_RE = /^(?:[A-Za-z\u0080-\uffff]{2,63}|xn--[a-z0-9-]{1,59})$/i;

/** Validates a host name (at least two labels, alphabetic TLD). */
export function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.split('.');
  if (labels.length < 2) return false;
  for (const l of labels) if (!LABEL_RE.test(l)) return false;
  return TLD_RE.test(labels[labels.length - 1] ?? '');
}

function scanEmails(text: string, out: PiiFinding[]): void {
  let from = 0;
  for (let at = text.indexOf('@', from); at !== -1; at = text.indexOf('@', from)) {
    from = at + 1;
    // Local part, scanning left (at most 64 characters).
    let s = at;
    while (s > 0 && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    if (s > 0 && isLocalChar(text.charCodeAt(s - 1))) continue; // longer than 64: not an address
    while (s < at && (text[s] === '.' || text[s] === '-')) s++;
    if (s === at) continue;
    const local = text.slice(s, at);
    if (local.endsWith('.') || local.includes('..')) continue;
    // Domain, scanning right (at most 253 characters).
    let e = at + 1;
    while (e < text.length && e - at <= 254 && isDomainChar(text, e)) e++;
    while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    const domain = text.slice(at + 1, e);
    if (!isHostName(domain)) continue;
    out.push({ type: 'EMAIL', start: s, end: e, score: 0.95 });
    from = e;
  }
}

export const email: Detector = { type: 'EMAIL', threshold: 0.5, detect: (input, out) => scanEmails(input.text, out) };

// ---------------------------------------------------------------------------------------------
// IP_ADDRESS
// ---------------------------------------------------------------------------------------------

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_EXACT = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
/** Dotted quads (validated in code); digit-first so the regex engine skips text quickly. */
const IPV4_CANDIDATE_RE = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\/\d{1,2})?/g;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function isHexColonDot(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;
}

function isIdentChar(c: number): boolean {
  return isAlnum(c) || c === 95;
}

function groupsValid(part: string): number {
  if (part === '') return 0;
  const groups = part.split(':');
  for (const g of groups) if (!HEX_GROUP.test(g)) return -1;
  return groups.length;
}

/** IPv6 in full, compressed ("::") or IPv4-suffixed form. */
export function isIPv6(candidate: string): boolean {
  let s = candidate;
  let extra = 0;
  const lastColon = s.lastIndexOf(':');
  if (lastColon === -1) return false;
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!IPV4_EXACT.test(tail)) return false;
    const head = s.slice(0, lastColon + 1);
    s = head.endsWith('::') ? head : head.slice(0, -1);
    extra = 2;
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  if (halves.length === 2) {
    const left = groupsValid(halves[0] ?? '');
    const right = groupsValid(halves[1] ?? '');
    if (left < 0 || right < 0) return false;
    const total = left + right + extra;
    return total >= 1 && total <= 7;
  }
  const n = groupsValid(s);
  return n + extra === 8;
}

const IP_CONTEXT = contextScorer(
  {
    positive: [
      'ip', 'ip address', 'ipv4', 'ipv6', 'address', 'host', 'server', 'client', 'gateway', 'dns', 'ping',
      'connect', 'connected', 'subnet', 'proxy', 'src', 'dst', 'source', 'destination', 'remote', 'login from',
    ],
    negative: ['version', 'ver', 'v', 'build', 'release', 'firmware', 'section', 'chapter', 'figure', 'table', 'step'],
    before: 32,
  },
  0.1,
  0.45,
);

export const ipAddress: Detector = {
  type: 'IP_ADDRESS',
  threshold: 0.5,
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    forEachMatch(IPV4_CANDIDATE_RE, text, (m) => {
      const start = m.index;
      const end = start + m[0].length;
      const before = start > 0 ? text.charCodeAt(start - 1) : 32;
      if (isDigit(before) || before === 46) return;
      if (end < text.length) {
        const after = text.charCodeAt(end);
        if (isDigit(after) || (after === 46 && isDigit(text.charCodeAt(end + 1)))) return;
      }
      const [addr, cidr] = m[0].split('/');
      if (addr === undefined || !IPV4_EXACT.test(addr)) return;
      if (cidr !== undefined && Number(cidr) > 32) return;
      out.push({ type: 'IP_ADDRESS', start, end, score: clampScore(IP_CONTEXT.score(0.85, text, start, end)) });
    });
    // IPv6: expand around each ':' over hex digits, colons and dots.
    let from = 0;
    for (let colon = text.indexOf(':', from); colon !== -1; colon = text.indexOf(':', from)) {
      let l = colon;
      while (l > 0 && colon - l < 46 && isHexColonDot(text.charCodeAt(l - 1))) l--;
      let r = colon + 1;
      while (r < text.length && r - l < 64 && isHexColonDot(text.charCodeAt(r))) r++;
      from = r + 1;
      if (l > 0 && isIdentChar(text.charCodeAt(l - 1))) continue;
      if (r < text.length && (isIdentChar(text.charCodeAt(r)) || isHexColonDot(text.charCodeAt(r)))) continue;
      let end = r;
      while (end > l && (text[end - 1] === '.' || (text[end - 1] === ':' && text[end - 2] !== ':'))) end--;
      const cand = text.slice(l, end);
      if (cand.length < 3 || !isIPv6(cand)) continue;
      out.push({ type: 'IP_ADDRESS', start: l, end, score: clampScore(IP_CONTEXT.score(0.9, text, l, end)) });
    }
  },
};

// ---------------------------------------------------------------------------------------------
// MAC_ADDRESS
// ---------------------------------------------------------------------------------------------

/** 6 hex pairs separated by ':' or '-' (consistently), or the Cisco dotted form 0123.4567.89ab. */
const MAC_PAIRS_STICKY = /[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}/y;
const MAC_CISCO_STICKY = /[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}/y;

function macBoundaryOk(text: string, start: number, end: number): boolean {
  const before = start > 0 ? text.charCodeAt(start - 1) : 32;
  if (isAlnum(before) || before === 58 || before === 45 || before === 46) return false;
  if (end >= text.length) return true;
  const after = text.charCodeAt(end);
  if (isAlnum(after) || after === 58 || after === 45) return false;
  return !(after === 46 && isAlnum(text.charCodeAt(end + 1)));
}

const MAC_CONTEXT = contextScorer(
  {
    positive: [
      'mac', 'mac address', 'mac addr', 'hardware address', 'hwaddr', 'ether', 'ethernet', 'bssid', 'physical address',
      'wifi', 'wi-fi', 'nic', 'device', 'adapter',
    ],
    before: 40,
  },
  0.4,
);

/** Anchored on the separators (found with indexOf), then matched with a sticky pattern. */
export const macAddress: Detector = {
  type: 'MAC_ADDRESS',
  threshold: 0.5,
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    const tryAt = (re: RegExp, s: number, cisco: boolean): number => {
      if (s < 0) return -1;
      re.lastIndex = s;
      const m = re.exec(text);
      if (m === null) return -1;
      const end = s + m[0].length;
      if (!macBoundaryOk(text, s, end)) return -1;
      const hasHexLetter = /[A-Fa-f]/.test(m[0]);
      const base = hasHexLetter ? 0.85 : cisco ? 0.35 : 0.55;
      out.push({ type: 'MAC_ADDRESS', start: s, end, score: clampScore(MAC_CONTEXT.score(base, text, s, end)) });
      return end;
    };
    for (const sep of [':', '-']) {
      let from = 0;
      for (let idx = text.indexOf(sep, from); idx !== -1; idx = text.indexOf(sep, from)) {
        const end = tryAt(MAC_PAIRS_STICKY, idx - 2, false);
        from = end > idx ? end : idx + 1;
      }
    }
    let from = 0;
    for (let idx = text.indexOf('.', from); idx !== -1; idx = text.indexOf('.', from)) {
      const end = tryAt(MAC_CISCO_STICKY, idx - 4, true);
      from = end > idx ? end : idx + 1;
    }
  },
};

// ---------------------------------------------------------------------------------------------
// URL
// ---------------------------------------------------------------------------------------------

const SCHEMES: ReadonlySet<string> = new Set([
  'http', 'https', 'ftp', 'ftps', 'sftp', 'ws', 'wss', 'ssh', 'git', 'file', 's3', 'gs', 'rtsp', 'smb', 'ldap',
  'ldaps', 'telnet', 'svn',
]);

/**
 * Bare host names with a common TLD ("example.com/path"), found from the TLD backwards. The TLD
 * must be lower case ("ASP.NET" is a product) and word-like TLDs ("in", "me", "it", "no") are
 * left out.
 */
const BARE_TLD_RE =
  /\.(?:com|org|net|edu|gov|mil|int|io|ai|app|dev|info|biz|co|uk|ca|de|fr|au|jp|cn|ru|br|nl|es|ch|se|dk|fi|pl|ie|nz|za|mx|ar|kr|tv|ly|xyz|online|site|tech|store|cloud|blog|news|shop)(?![\w@-]|\.[A-Za-z0-9])/g;

/** Characters of a URL authority (userinfo, host, port, IPv6 brackets). */
function isAuthorityChar(c: number): boolean {
  return isAlnum(c) || c === 45 || c === 46 || c === 58 || c === 64 || c === 91 || c === 93 || c === 95 || c === 37 || c === 126;
}

function isHostChar(c: number): boolean {
  return isAlnum(c) || c === 45 || c === 46;
}

function isUrlChar(c: number): boolean {
  if (c <= 32 || c === 127) return false;
  // < > " ` { } | \ ^ and typographic quotes / angle quotes
  switch (c) {
    case 60: case 62: case 34: case 96: case 123: case 125: case 124: case 92: case 94:
    case 0x201c: case 0x201d: case 0x2018: case 0x2019: case 0xab: case 0xbb: case 0x3000:
      return false;
    default:
      return !(c >= 0x2000 && c <= 0x200b);
  }
}

const TRAILING_PUNCT = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '*', '_']);

/** Extends a URL from `start` (at most 2048 characters) and trims trailing punctuation. */
function urlEnd(text: string, start: number, from: number): number {
  let e = from;
  const limit = Math.min(text.length, start + 2048);
  while (e < limit && isUrlChar(text.charCodeAt(e))) {
    // An HTML character reference ("&#8221;") ends the URL: it is markup, not part of it.
    if (text.charCodeAt(e) === 38 && text.charCodeAt(e + 1) === 35) break;
    e++;
  }
  for (;;) {
    const last = text[e - 1] ?? '';
    if (TRAILING_PUNCT.has(last)) {
      e--;
      continue;
    }
    if (last === ')' || last === ']') {
      const open = last === ')' ? '(' : '[';
      const body = text.slice(start, e);
      let balance = 0;
      for (const ch of body) {
        if (ch === open) balance++;
        else if (ch === last) balance--;
      }
      if (balance < 0) {
        e--;
        continue;
      }
    }
    break;
  }
  return e;
}

function plausibleHost(host: string): boolean {
  if (host.length === 0) return false;
  return host.startsWith('[') || isHostName(host) || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || /^localhost$/i.test(host);
}

function hostOf(url: string): string {
  const afterScheme = url.includes('://') ? url.slice(url.indexOf('://') + 3) : url;
  const hostPort = afterScheme.split(/[/?#]/, 1)[0] ?? '';
  const host = hostPort.includes('@') ? hostPort.slice(hostPort.lastIndexOf('@') + 1) : hostPort;
  return host.replace(/:\d{1,5}$/, '');
}

const URL_CONTEXT = contextScorer(
  { positive: ['url', 'link', 'website', 'site', 'visit', 'go to', 'http', 'web', 'page', 'domain'], before: 32 },
  0.15,
);

export const url: Detector = {
  type: 'URL',
  threshold: 0.5,
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    const emit = (start: number, end: number, score: number): void => {
      out.push({ type: 'URL', start, end, score: clampScore(score) });
    };
    // scheme://…
    let from = 0;
    for (let idx = text.indexOf('://', from); idx !== -1; idx = text.indexOf('://', from)) {
      from = idx + 3;
      let s = idx;
      while (s > 0 && idx - s < 8 && isAlnum(text.charCodeAt(s - 1))) s--;
      if (s === idx || (s > 0 && isIdentChar(text.charCodeAt(s - 1)))) continue;
      const scheme = text.slice(s, idx).toLowerCase();
      if (!SCHEMES.has(scheme)) continue;
      // Validate the authority first (bounded), and only then read the whole URL.
      let a = idx + 3;
      while (a < text.length && a - idx < 260 && isAuthorityChar(text.charCodeAt(a))) a++;
      const host = hostOf(text.slice(s, a));
      if (scheme !== 'file' && !plausibleHost(host)) continue;
      const end = urlEnd(text, s, a);
      emit(s, end, 0.9);
      from = Math.max(from, end);
    }
    // www.…
    for (const marker of ['www.', 'WWW.', 'Www.']) {
      from = 0;
      for (let idx = text.indexOf(marker, from); idx !== -1; idx = text.indexOf(marker, from)) {
        from = idx + 4;
        const before = idx > 0 ? text.charCodeAt(idx - 1) : 32;
        if (isIdentChar(before) || before === 46 || before === 47 || before === 64) continue;
        const end = urlEnd(text, idx, idx + 4);
        const host = hostOf(text.slice(idx, end));
        // "www.example" alone is not enough: a TLD after the name, or a path.
        if (!isHostName(host) || (host.split('.').length < 3 && text[idx + host.length] !== '/')) continue;
        emit(idx, end, 0.9);
        from = Math.max(from, end);
      }
    }
    // bare host names
    forEachMatch(BARE_TLD_RE, text, (m) => {
      const tldEnd = m.index + m[0].length;
      let s = m.index;
      while (s > 0 && m.index - s < 253 && isHostChar(text.charCodeAt(s - 1))) s--;
      while (s < m.index && (text[s] === '.' || text[s] === '-')) s++;
      if (s === m.index) return;
      const before = s > 0 ? text.charCodeAt(s - 1) : 32;
      if (before === 64 || before === 47 || before === 58 || before === 95 || before === 92) return;
      const host = text.slice(s, tldEnd);
      if (!isHostName(host)) return;
      const end = text[tldEnd] === '/' ? urlEnd(text, s, tldEnd) : tldEnd;
      emit(s, end, URL_CONTEXT.score(0.6, text, s, end));
    });
  },
};
