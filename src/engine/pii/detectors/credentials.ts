/**
 * Credentials typed into text: PASSWORD, USERNAME, PIN. All are context-driven: the keyword is
 * not part of the span, only the secret token after it.
 */
import type { Detector, PiiFinding, ScanInput } from '../detector.ts';
import { clampScore } from '../detector.ts';
import { normalizePhrase } from '../keywords.ts';
import { keyedDetector } from '../scan-util.ts';

/** Words that follow "password is" / "username is" in ordinary sentences, not secrets. */
const NOT_A_SECRET: ReadonlySet<string> = new Set(
  (
    'a an the and or but if so as at by for from in into of on onto to with without about above below after before ' +
    'this that these those it its which what who whom whose when where why how here there now then still also just ' +
    'only very too not no yes none nothing something anything everything one same different mine yours his hers ' +
    'theirs ours my your her their our me you i we they he she us them incorrect incorrectly wrong invalid expired ' +
    'expiring required needed mandatory optional correct right strong weak secure insecure safe unsafe good bad ' +
    'fine ok okay case sensitive case-sensitive changed change set reset missing empty blank long short valid ' +
    'protected hidden stored saved forgotten encrypted hashed ready being been be is are was were will would ' +
    'should could can cannot must may might shall do does did done displayed shown sent updated visible complex ' +
    'simple easy hard known unknown compromised leaked working accepted rejected locked unlocked used please ' +
    'attached like because provided given generated supposed going always never usually probably definitely ' +
    'really quite rather more less most least all any some each every either neither both such own new old ' +
    'current previous default temporary same above below following unique available taken already requested ' +
    'entered typed written listed included contained different similar identical longer shorter'
  ).split(' '),
);

function isStopword(token: string): boolean {
  return NOT_A_SECRET.has(token.toLowerCase());
}

const OPEN_QUOTES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '`': '`', '“': '”', '‘': '’', '«': '»' };

/** Characters trimmed from the end of an unquoted token (sentence punctuation). */
const TRAILING = new Set(['.', ',', ';', ':', ')', ']', '}', '"', "'", '?', '”', '’', '»', '>']);

interface Token {
  start: number;
  end: number;
  quoted: boolean;
}

/**
 * Reads the token starting at `pos` (after optional spaces): a quoted string (span inside the
 * quotes, at most 128 characters, one line) or a run of non-space characters with trailing
 * sentence punctuation removed. `stopAt` ends an unquoted token early (e.g. '&' in a query).
 */
function readToken(text: string, pos: number, stopAt: string): Token | null {
  let i = pos;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i >= text.length) return null;
  const close = OPEN_QUOTES[text[i] ?? ''];
  if (close !== undefined) {
    const s = i + 1;
    let e = s;
    while (e < text.length && e - s <= 128 && text[e] !== close && text[e] !== '\n') e++;
    if (text[e] !== close || e === s) return null;
    return { start: s, end: e, quoted: true };
  }
  const s = i;
  let e = s;
  while (e < text.length && e - s < 128) {
    const ch = text[e] ?? '';
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || stopAt.includes(ch)) break;
    e++;
  }
  while (e > s && TRAILING.has(text[e - 1] ?? '')) e--;
  if (e === s) return null;
  return { start: s, end: e, quoted: false };
}

function hasNonLetter(s: string): boolean {
  return /[^A-Za-z]/.test(s) || (/[a-z]/.test(s) && /[A-Z]/.test(s.slice(1)));
}

// ---------------------------------------------------------------------------------------------
// PASSWORD
// ---------------------------------------------------------------------------------------------

const PASSWORD_WORDS = [
  'password', 'passwords', 'passwd', 'passphrase', 'pass phrase', 'passcode', 'pwd', 'pw', 'pswd', 'passwort',
  'contraseña', 'contrasena', 'mot de passe', 'senha', 'wifi password', 'wi-fi password', 'login password',
  'admin password', 'root password', 'db password', 'db_password', 'database password', 'api password', 'user password',
];

/** After the keyword: `: ` / `=` / ` is ` / ` was ` / ` to ` / ` as ` (the separator kind is captured). */
const PASSWORD_FOLLOW_RE = /["']?\s{0,3}(?:([:=])|\s(is|was)(?:\s{0,3}[:=])?(?=\s)|\s(to|as)(?=\s))/iy;

export const password: Detector = {
  type: 'PASSWORD',
  threshold: 0.5,
  keywords: [...PASSWORD_WORDS, 'pass'],
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    for (const hit of input.hits(password)) {
      PASSWORD_FOLLOW_RE.lastIndex = hit.end;
      const m = PASSWORD_FOLLOW_RE.exec(text);
      if (m === null) continue;
      // Bare "pass" only counts as "pass: X" / "pass=X".
      if (hit.phrase === 'pass' && m[1] === undefined) continue;
      const sep = m[1] ?? (m[2] !== undefined ? 'is' : 'to');
      const tok = readToken(text, hit.end + m[0].length, sep === '=' ? '&' : '');
      if (tok === null) continue;
      const value = text.slice(tok.start, tok.end);
      let score: number;
      if (sep === ':' || sep === '=') score = 0.9;
      else if (sep === 'is') score = tok.quoted || !isStopword(value) ? 0.8 : 0;
      else score = tok.quoted || (hasNonLetter(value) && !isStopword(value)) ? 0.7 : 0;
      if (score > 0) out.push({ type: 'PASSWORD', start: tok.start, end: tok.end, score: clampScore(score) });
    }
  },
};

// ---------------------------------------------------------------------------------------------
// USERNAME
// ---------------------------------------------------------------------------------------------

/** Keywords that name a user identifier on their own ("username is X", "login jdoe1"). */
const USERNAME_WORDS = [
  'username', 'usernames', 'user name', 'user id', 'userid', 'login', 'login id', 'login name', 'logon', 'logon name',
  'handle', 'screen name', 'screenname', 'account name', 'account id', 'gamertag', 'uid', 'benutzername',
  "nom d'utilisateur", 'nombre de usuario',
];
/** Generic words that only count with an explicit `:` or `=` ("user: jdoe", "usuario=ana"). */
const USERNAME_WEAK_WORDS = ['user', 'usuario', 'utilisateur'];
/** "logged in as X" and friends: the keyword already includes "as". */
const USERNAME_AS_WORDS = ['logged in as', 'log in as', 'signed in as', 'sign in as', 'logged on as', 'log on as', 'connected as', 'authenticated as'];

const STRONG: ReadonlySet<string> = new Set(USERNAME_WORDS.map(normalizePhrase));
const WEAK: ReadonlySet<string> = new Set(USERNAME_WEAK_WORDS.map(normalizePhrase));

const USERNAME_STRONG_FOLLOW_RE =
  /["']?\s{0,3}(?:(?<sep>[:=])|\s(?<is>is|was)(?:\s{0,3}[:=])?(?=\s)|(?<bare>\s)(?=\S))/iy;
const USERNAME_WEAK_FOLLOW_RE = /["']?\s{0,3}(?<sep>[:=])/iy;
const USERNAME_AS_FOLLOW_RE = /(?<as>\s)(?=\S)/iy;

const IDENTIFIER_LIKE = /[0-9_.@]|^[a-z]+[A-Z]/;

/** Only spaces/tabs (or list/quote markers) between the previous line break and `pos`. */
function atLineStart(text: string, pos: number): boolean {
  let i = pos - 1;
  while (i >= 0 && pos - i < 64) {
    const c = text[i] ?? '';
    if (c === '\n' || c === '\r') return true;
    if (c !== ' ' && c !== '\t' && c !== '>' && c !== '-' && c !== '*') return false;
    i--;
  }
  return i < 0;
}

export const username: Detector = {
  type: 'USERNAME',
  threshold: 0.5,
  keywords: [...USERNAME_WORDS, ...USERNAME_WEAK_WORDS, ...USERNAME_AS_WORDS],
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    for (const hit of input.hits(username)) {
      const re = STRONG.has(hit.phrase) ? USERNAME_STRONG_FOLLOW_RE : WEAK.has(hit.phrase) ? USERNAME_WEAK_FOLLOW_RE : USERNAME_AS_FOLLOW_RE;
      re.lastIndex = hit.end;
      const m = re.exec(text);
      if (m === null) continue;
      const g = m.groups ?? {};
      const sep = g['sep'];
      const tok = readToken(text, hit.end + m[0].length, sep === '=' ? '&,;' : ',;');
      if (tok === null) continue;
      const value = text.slice(tok.start, tok.end);
      if (value.length < 2 || value.length > 64) continue;
      let score = 0;
      if (sep !== undefined && re === USERNAME_WEAK_FOLLOW_RE) {
        // "User: …" at the start of a line is a speaker label in a transcript, and a generic
        // "user:" needs an identifier-like value or one that ends the line / clause.
        if (atLineStart(text, hit.start)) continue;
        const ends = /^\s*(?:$|[\n\r,;)]|\.(?:\s|$))/.test(text.slice(tok.end, tok.end + 3));
        score = IDENTIFIER_LIKE.test(value) || ends ? 0.75 : 0;
      } else if (sep !== undefined) score = 0.85;
      else if (g['is'] !== undefined || g['as'] !== undefined) score = tok.quoted || !isStopword(value) ? 0.75 : 0;
      else if (g['bare'] !== undefined) {
        const idKeyword = /id$/.test(hit.phrase);
        const plausible = idKeyword ? /\d/.test(value) : /[A-Za-z]/.test(value) && IDENTIFIER_LIKE.test(value);
        score = tok.quoted || (plausible && !isStopword(value)) ? 0.65 : 0;
      }
      if (score > 0) out.push({ type: 'USERNAME', start: tok.start, end: tok.end, score: clampScore(score) });
    }
  },
};

// ---------------------------------------------------------------------------------------------
// PIN (context required)
// ---------------------------------------------------------------------------------------------

export const pin: Detector = keyedDetector(
  'PIN',
  0.5,
  {
    keywords: [
      'pin', 'pins', 'pin code', 'pin number', 'pin no', 'pin #', 'pin#', 'atm pin', 'card pin', 'debit pin',
      'security pin', 'account pin', 'sim pin', 'personal identification number', 'pincode',
    ],
    value: '\\d{4,6}(?![\\d]|[-.,/]\\d)',
  },
  (m) => ({ start: m.start, end: m.end, score: 0.85 }),
);
