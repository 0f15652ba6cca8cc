/**
 * Prompt-attack detector: instruction overrides, jailbreak personas, system-prompt extraction, fake
 * conversation turns, authority claims, output hijacking, instructions smuggled in base64/hex/binary,
 * spaced-out / leetspeak obfuscation and the canonical override in ~25 languages.
 *
 * Token rules run on the shared normalised tokens (`content/normalize.ts`, so leetspeak, look-alike
 * letters and contractions are undone), a few precompiled linear regexes run on the folded text, and
 * a letters-only "compact" string catches spaced-out and punctuated words. Decoding is bounded
 * (`decode.ts`) and decoded payloads are scored without further decoding.
 */

import { P } from './lexicon.ts';
import * as L from './lexicon.ts';
import {
  CASED,
  COMPACT_JAILBREAK,
  COMPACT_OVERRIDE,
  HIDDEN_INSTRUCTIONS,
  LINE_MARKERS,
  MULTILINGUAL,
  ROLE_MARKERS,
  ROLE_MARKER_GATES,
  type WeightedPattern,
} from './patterns.ts';
import { findEncodedTexts } from './decode.ts';
import { deobfuscate, tokenize, tokenizeCached, MAX_DEOBFUSCATE, TF_PLAIN, TF_SENT_START, type TokenList } from '../content/normalize.ts';
import { MatchScratch, VocabularyBuilder, hasClass, matchTokens, termAt, termVal, type Matches, type Vocabulary } from '../content/vocab.ts';
import { isKnownWord } from '../content/vocabulary.ts';

/** Logistic bias: with no evidence the score is σ(-4) ≈ 0.018. */
export const PA_BIAS = -4;
/** Cap on the summed weight of weak phrases (a novel may say "imagine", "pretend" and "from now on"). */
const WEAK_CAP = 2.2;
/** Phrases weighing less than this are weak. */
const WEAK = 1.6;
/** Longest text scanned in the letters-only form. */
const COMPACT_MAX = 1 << 20;

function buildVocabulary(): Vocabulary {
  const b = new VocabularyBuilder();
  b.irregular({
    forget: { past: ['forgot', 'forgotten'], other: ['forgetting', 'forgets'] },
    override: { past: ['overrode', 'overridden'], other: ['overriding'] },
    overwrite: { past: ['overwrote', 'overwritten'], other: ['overwriting'] },
    throw: { past: ['threw', 'thrown'] },
    tell: { past: ['told'] },
    write: { past: ['wrote', 'written'], other: ['writing'] },
    give: { past: ['gave', 'given'], other: ['giving'] },
    show: { past: ['showed', 'shown'] },
    read: { past: ['read'] },
    break: { past: ['broke', 'broken'] },
    set: { past: ['set'], other: ['setting'] },
    put: { past: ['put'], other: ['putting'] },
    leak: { past: ['leaked'] },
  });
  b.addWeighted(L.IGNORE_VERBS, P.IGNORE, 'v')
    .addAll(L.QUALIFIERS, P.QUAL)
    .addAll(L.STRONG_QUALIFIERS, P.STRONGQ)
    .addAll(L.TARGETS, P.TARGET)
    .addAll(L.WEAK_TARGETS, P.WEAKTARGET)
    .addAll(L.BENIGN_OBJECTS, P.BENIGNOBJ)
    .addAll(L.EXTRACT_VERBS, P.EXTRACT, 1, 'v')
    .addWeighted(L.PROMPT_OBJECTS, P.PROMPTOBJ)
    .addAll(L.SECRETS, P.SECRET)
    .addWeighted(L.JAILBREAK, P.JAILBREAK)
    .addWeighted(L.PERSONA, P.PERSONA)
    .addWeighted(L.NEW_RULES, P.NEWRULES)
    .addWeighted(L.AUTHORITY, P.AUTHORITY)
    .addWeighted(L.HYPOTHETICAL, P.HYPO)
    .addWeighted(L.HIJACK, P.HIJACK)
    .addAll(L.ASK, P.ASK)
    .addAll(['your', 'yours', 'you have', 'you were', 'you are', 'you'], P.YOUR)
    .addWeighted(L.ENCODING, P.ENCODING)
    .addAll(L.NEGATION, P.NEG)
    .addAll(L.ML_HINT, P.MLHINT)
    .addWeighted(L.WEAK_SIGNALS, P.SIGNAL);
  return b.build();
}

const VOCAB = buildVocabulary();
const MATCH_SCRATCH = new MatchScratch();
const isKnownPA = (w: string): boolean => VOCAB.known.has(w);
const STRONG_TARGET_LEMMAS: ReadonlySet<string> = new Set(
  [...L.STRONG_TARGETS].map((p) =>
    p
      .split(' ')
      .map((w) => VOCAB.lemmas.get(w) ?? w)
      .join(' '),
  ),
);
// Verbs after "ignore X and …" that turn it into an injected instruction.
const AND_DO: ReadonlySet<string> = new Set(['say', 'state', 'print', 'output', 'write', 'respond', 'reply', 'answer', 'tell', 'return', 'classify', 'translate', 'summarize', 'summarise', 'repeat', 'give', 'show', 'instead', 'just', 'only']);

/** One piece of evidence. */
export interface AttackFeature {
  readonly feature: string;
  readonly weight: number;
}

class Evidence {
  readonly items = new Map<string, { max: number; n: number }>();

  add(key: string, w: number): void {
    if (!(w > 0.05)) return;
    const e = this.items.get(key);
    if (e === undefined) this.items.set(key, { max: w, n: 1 });
    else {
      if (w > e.max) e.max = w;
      e.n++;
    }
  }

  /** Sum of the strong (non-weak) evidence so far. */
  strongTotal(): number {
    let t = 0;
    for (const [k, e] of this.items) if (!k.startsWith('weak:')) t += e.max;
    return t;
  }

  logit(): number {
    let strong = 0;
    let weak = 0;
    for (const [k, e] of this.items) {
      const c = e.n <= 1 ? e.max : e.max * Math.min(1.5, 1 + 0.25 * Math.log(e.n));
      if (k.startsWith('weak:')) weak += c;
      else strong += c;
    }
    return PA_BIAS + strong + Math.min(WEAK_CAP, weak);
  }

  features(): AttackFeature[] {
    const out: AttackFeature[] = [];
    for (const [k, e] of this.items) out.push({ feature: k, weight: Math.round(e.max * 100) / 100 });
    return out.sort((a, b) => b.weight - a.weight);
  }
}

/** Analyse a text; `decodeDepth` > 0 also decodes smuggled payloads (one level). */
export function analyzePromptAttack(text: string, decodeDepth = 1): { logit: number; evidence: Evidence } {
  const ev = new Evidence();
  // The outer text goes through the shared memo (the content detector tokenises the same input);
  // decoded payloads do not, so they never evict it.
  const { tokens, compact } = paTokens(decodeDepth > 0 ? tokenizeCached(text, isKnownWord) : tokenize(text, isKnownWord));
  // The outer text's matches live in reused buffers; a decoded payload (analysed below, after the last use of
  // `m`) gets its own.
  const m = matchTokens(VOCAB, tokens, decodeDepth > 0 ? MATCH_SCRATCH : undefined);
  const { override: overrideFound, sawOverrideVerb } = tokenRules(tokens, m, ev);

  const folded = tokens.normalized;
  roleMarkers(folded, ev);
  runPatterns(HIDDEN_INSTRUCTIONS, folded, ev, 'weak:hidden');
  if (text.includes('DAN')) runPatterns(CASED, text, ev, 'persona');
  if (!overrideFound) multilingual(folded, m, ev);
  fakeDialogue(folded, ev);

  // Spaced-out, punctuated and leetspeak words: the letters-only form (a fallback when the token
  // rules found nothing strong).
  const strongSoFar = ev.strongTotal() >= 4;
  if (!overrideFound && !sawOverrideVerb && !strongSoFar) {
    COMPACT_OVERRIDE.lastIndex = 0;
    if (COMPACT_OVERRIDE.test(compact)) ev.add('obfuscated-override', 6);
    else if (rot13Override(compact.length > 65536 ? compact.slice(0, 65536) : compact)) ev.add('rot13-override', 6);
  }
  COMPACT_JAILBREAK.lastIndex = 0;
  if (!overrideFound && !strongSoFar && COMPACT_JAILBREAK.test(compact)) ev.add('obfuscated-jailbreak', 5.5);
  if (tokens.obfuscated > 0 && ev.items.size > 0) ev.add('weak:obfuscation', 1);

  floodCheck(tokens.words, ev);

  if (decodeDepth > 0) {
    for (const payload of findEncodedTexts(text)) {
      const inner = analyzePromptAttack(payload, decodeDepth - 1);
      if (inner.logit >= PA_BIAS + 2.9) ev.add('encoded-instructions', 6.5);
      else if (inner.logit > PA_BIAS + 0.5) ev.add('weak:encoded-text', 1.5);
    }
  }
  return { logit: ev.logit(), evidence: ev };
}

/**
 * Re-decode leftover obfuscated words with the prompt-attack vocabulary (1gn0re, ınstructıons…) and
 * build the letters-only form of the text, in one pass over the words.
 */
function paTokens(t: TokenList): { tokens: TokenList; compact: string } {
  let words: string[] | null = null;
  let obf = t.obfuscated;
  // The letters-only form is written into a byte buffer and decoded once at the end (appending to a string
  // would leave a chain of one small string object per word for the regexes to flatten).
  const compact = new CompactBuilder();
  for (let i = 0; i < t.words.length; i++) {
    let w = t.words[i] ?? '';
    if (((t.flags[i] ?? 0) & TF_PLAIN) !== 0) {
      // Plain lower-case letters: nothing to undo.
      if (compact.length < COMPACT_MAX) compact.append(w);
      continue;
    }
    let odd = false;
    let nonAscii = false;
    let triple = false;
    for (let q = 0; q < w.length; q++) {
      const c = w.charCodeAt(q);
      if (c >= 97 && c <= 122) {
        if (q >= 2 && c === w.charCodeAt(q - 1) && c === w.charCodeAt(q - 2)) triple = true;
      } else if (c > 127) nonAscii = true;
      else odd = true;
    }
    if ((odd || nonAscii || triple) && w.length <= MAX_DEOBFUSCATE && !isKnownPA(w)) {
      const fixed = deobfuscate(w, odd, nonAscii, triple, isKnownPA);
      if (fixed !== null) {
        if (words === null) words = t.words.slice();
        words[i] = fixed;
        w = fixed;
        obf++;
        odd = /[^a-z]/.test(fixed);
      }
    }
    if (compact.length < COMPACT_MAX) compact.append(odd || nonAscii ? w.replace(/[^a-z]/g, '') : w);
  }
  const tokens = words === null ? t : { words, flags: t.flags, obfuscated: obf, normalized: t.normalized };
  return { tokens, compact: compact.toString() };
}

/** Bytes of the letters-only forms, reused between texts (the form is built one text at a time). */
let compactBytes = new Uint8Array(4096);

/**
 * Builds the letters-only form: lowercase ASCII letters and digits, so one byte per character and one
 * latin1 decode at the end. (Any other character would switch it to joining strings, exactly as before.)
 */
class CompactBuilder {
  length = 0;
  private pieces: string[] | null = null;

  append(w: string): void {
    if (this.pieces !== null) {
      this.pieces.push(w);
      this.length += w.length;
      return;
    }
    if (this.length + w.length > compactBytes.length) {
      const bigger = new Uint8Array(Math.max(compactBytes.length * 2, this.length + w.length));
      bigger.set(compactBytes.subarray(0, this.length));
      compactBytes = bigger;
    }
    const bytes = compactBytes;
    for (let k = 0; k < w.length; k++) {
      const c = w.charCodeAt(k);
      if (c > 0x7f) {
        // Not one byte per character: keep what was written so far as a string and join from here on.
        this.pieces = [Buffer.from(bytes.buffer, bytes.byteOffset, this.length).toString('latin1'), w];
        this.length += w.length;
        return;
      }
      bytes[this.length + k] = c;
    }
    this.length += w.length;
  }

  toString(): string {
    if (this.pieces !== null) return this.pieces.join('');
    return Buffer.from(compactBytes.buffer, compactBytes.byteOffset, this.length).toString('latin1');
  }
}

function roleMarkers(s: string, ev: Evidence): void {
  ROLE_MARKERS.forEach((p, k) => {
    const gates = ROLE_MARKER_GATES[k] ?? [];
    if (gates.length > 0 && !gates.some((g) => s.includes(g))) return;
    p.re.lastIndex = 0;
    if (p.re.test(s)) ev.add(`role-marker:${p.name}`, p.weight);
  });
  // Line-start markers: try the sticky patterns at each line start.
  const found = new Set<string>();
  let at = 0;
  while (at <= s.length && found.size < LINE_MARKERS.length) {
    for (const p of LINE_MARKERS) {
      if (found.has(p.name)) continue;
      p.re.lastIndex = at;
      if (p.re.test(s)) {
        found.add(p.name);
        ev.add(`role-marker:${p.name}`, p.weight);
      }
    }
    const nl = s.indexOf('\n', at);
    if (nl < 0) break;
    at = nl + 1;
  }
}

function runPatterns(list: readonly WeightedPattern[], s: string, ev: Evidence, prefix: string): void {
  for (const p of list) {
    p.re.lastIndex = 0;
    if (p.re.test(s)) ev.add(`${prefix}:${p.name}`, p.weight);
  }
}

// The multilingual patterns only run when a token is one of their Latin-script words (`ML_HINT`,
// a vocabulary class) or the text has letters of another script; plain English skips them.
const OTHER_SCRIPT = /[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u09ff\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;
function mlHint(m: Matches): boolean {
  for (let i = 0; i < m.n; i++) if ((m.pm1[i] ?? 0) !== 0 && hasClass(m, i, P.MLHINT)) return true;
  return false;
}

/** Run the multilingual patterns: on the whole text when a Latin-script hint word occurs, otherwise
 * only on the lines that contain letters of another script. */
function multilingual(folded: string, m: Matches, ev: Evidence): void {
  if (mlHint(m)) {
    runPatterns(MULTILINGUAL, folded, ev, 'multilingual');
    return;
  }
  if (!OTHER_SCRIPT.test(folded)) return;
  let start = 0;
  while (start < folded.length) {
    let end = folded.indexOf('\n', start);
    if (end < 0) end = folded.length;
    const line = folded.slice(start, end);
    if (OTHER_SCRIPT.test(line)) runPatterns(MULTILINGUAL, line, ev, 'multilingual');
    start = end + 1;
  }
}
/** Few-shot / many-shot fake dialogues: several "Q: … A: …" or role-prefixed turns. */
function fakeDialogue(s: string, ev: Evidence): void {
  if (s.indexOf(':') < 0) return;
  const q = countUpTo(s, 'q:', 3) + countUpTo(s, 'question:', 3) + countUpTo(s, 'user:', 3) + countUpTo(s, 'human:', 3);
  if (q < 2) return;
  const a = countUpTo(s, ' a:', 3) + countUpTo(s, 'answer:', 3) + countUpTo(s, 'assistant:', 3) + countUpTo(s, 'ai:', 3);
  if (a >= 2) ev.add('weak:fake-dialogue', 1.5);
}

function countUpTo(s: string, needle: string, max: number): number {
  let n = 0;
  let at = s.indexOf(needle);
  while (at >= 0 && n < max) {
    n++;
    at = s.indexOf(needle, at + needle.length);
  }
  return n;
}

/**
 * `COMPACT_OVERRIDE` with its letters rotated by 13. The pattern is made of lowercase letters and grouping only,
 * and ROT13 maps letters to letters one to one (anything else to itself), so it matches a text exactly where
 * `COMPACT_OVERRIDE` matches the text's ROT13: the check needs no rotated copy of the text. (Null if the pattern
 * ever gains other syntax; the copy is then made.)
 */
const COMPACT_OVERRIDE_ROT13: RegExp | null = /^[a-z()|?:]*$/.test(COMPACT_OVERRIDE.source)
  ? new RegExp(rot13(COMPACT_OVERRIDE.source), COMPACT_OVERRIDE.flags)
  : null;

/** Does `COMPACT_OVERRIDE` match the ROT13 of `s`? */
function rot13Override(s: string): boolean {
  const re = COMPACT_OVERRIDE_ROT13 ?? COMPACT_OVERRIDE;
  re.lastIndex = 0;
  return re.test(COMPACT_OVERRIDE_ROT13 !== null ? s : rot13(s));
}

function rot13(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >= 97 && c <= 122 ? ((c - 97 + 13) % 26) + 97 : c);
  }
  return out;
}

/** Repeated-token flooding: the same word (or a 2–4 word cycle) repeated many times in a row. */
function floodCheck(words: readonly string[], ev: Evidence): void {
  const n = words.length;
  if (n < 40) return;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  let r4 = 0;
  for (let i = 4; i < n; i++) {
    const w = words[i];
    r1 = w === words[i - 1] ? r1 + 1 : 0;
    r2 = w === words[i - 2] ? r2 + 1 : 0;
    r3 = w === words[i - 3] ? r3 + 1 : 0;
    r4 = w === words[i - 4] ? r4 + 1 : 0;
    if (r1 >= 40 || r2 >= 40 || r3 >= 40 || r4 >= 40) {
      ev.add('repetition-flood', 3.5);
      return;
    }
  }
}

/** Token rules. Returns whether an explicit override was found, and whether any override verb was seen. */
function tokenRules(t: TokenList, m: Matches, ev: Evidence): { override: boolean; sawOverrideVerb: boolean } {
  const n = m.n;
  const flags = t.flags;
  let override = false;
  let sawOverrideVerb = false;
  const has = (i: number, cls: number): boolean => hasClass(m, i, cls);
  const termText = (i: number, cls: number): string => {
    const tm = termAt(VOCAB, m, i, cls);
    return tm === null ? (m.lemmas[i] ?? '') : (VOCAB.terms[tm.id]?.text ?? '');
  };
  const val = (i: number, cls: number): number => {
    const tm = termAt(VOCAB, m, i, cls);
    return tm === null ? 0 : termVal(VOCAB, tm.id, cls);
  };
  const end = (i: number, cls: number): number => termAt(VOCAB, m, i, cls)?.end ?? i + 1;
  const newSentence = (q: number): boolean => ((flags[q] ?? 0) & TF_SENT_START) !== 0;
  // "of this conversation", "for you", "of your system": the complement still points at the assistant.
  const pointsAtAssistant = (q: number): boolean => {
    for (let r = q; r < Math.min(n, q + 3); r++) {
      const w = m.lemmas[r] ?? '';
      if (w === 'you' || w === 'your' || w === 'conversation' || w === 'chat' || w === 'system' || w === 'ai' || w === 'assistant' || w === 'model') return true;
    }
    return false;
  };

  for (let i = 0; i < n; i++) {
    if ((m.pm1[i] ?? 0) === 0) continue;

    // 1. "ignore all previous instructions", "forget everything you were told".
    if (has(i, P.IGNORE)) {
      sawOverrideVerb = true;
      const mult = val(i, P.IGNORE);
      const e = end(i, P.IGNORE);
      let strongQ = false;
      let mine = false;
      let weak = 0;
      let weakName = '';
      let fired = false;
      for (let q = e; q < Math.min(n, e + 9); q++) {
        if (newSentence(q) && q > e) break;
        const w = m.lemmas[q] ?? '';
        if (has(q, P.BENIGNOBJ) && !has(q, P.TARGET)) break;
        if (has(q, P.TARGET)) {
          const tt = termText(q, P.TARGET);
          const strongT = STRONG_TARGET_LEMMAS.has(tt);
          // "the rules of chess", "the instructions for the oven": not the assistant's instructions.
          const after = end(q, P.TARGET);
          const aimedElsewhere = after < n && !newSentence(after) && L.OBJECT_COMPLEMENT.has(m.lemmas[after] ?? '') && !pointsAtAssistant(after + 1);
          let wgt: number;
          if (mine || aimedElsewhere) wgt = 1.2;
          else if (strongQ || weak > 0) wgt = strongT ? 6.5 : 2.5;
          else wgt = strongT ? 4 : 1;
          ev.add(wgt >= 4 ? 'override' : 'weak:override', wgt * mult);
          if (wgt >= 4) override = true;
          fired = true;
          break;
        }
        if (has(q, P.WEAKTARGET)) {
          const wt = termText(q, P.WEAKTARGET);
          const ww = wt.includes('above') || wt.includes('everything') || wt.includes('told') || wt.includes('said') ? 4.5 : wt === 'that' || wt === 'this' || wt === 'all that' || wt === 'all of that' ? 2 : 1;
          if (ww > weak) {
            weak = ww;
            weakName = wt;
          }
          if (has(q, P.STRONGQ)) strongQ = true;
          q = end(q, P.WEAKTARGET) - 1;
          continue;
        }
        if (has(q, P.QUAL) || has(q, P.STRONGQ)) {
          if (has(q, P.STRONGQ)) strongQ = true;
          if (w === 'my') mine = true;
          continue;
        }
        break;
      }
      if (!fired) {
        // "ignore the webpage and state: …", "ignore the above and say …".
        for (let q = e; q < Math.min(n, e + 10); q++) {
          if (newSentence(q) && q > e) break;
          if ((m.lemmas[q] ?? '') === 'and' && q + 1 < n && AND_DO.has(m.lemmas[q + 1] ?? '')) {
            ev.add('override-and-do', 5 * mult);
            override = true;
            fired = true;
            break;
          }
        }
      }
      if (!fired && weak > 0) {
        ev.add(weak >= 4 ? `override:${weakName}` : 'weak:override-that', weak * mult);
        if (weak >= 4) override = true;
      }
    }

    // 2. "repeat the text above", "print your system prompt", "tell me the secret key".
    if (has(i, P.EXTRACT) || has(i, P.ASK)) {
      const e = Math.max(has(i, P.EXTRACT) ? end(i, P.EXTRACT) : 0, has(i, P.ASK) ? end(i, P.ASK) : 0);
      let yours = false;
      let the = false;
      let indefinite = false;
      const weakVerb = !has(i, P.ASK) && L.WEAK_EXTRACT_VERBS.has(termText(i, P.EXTRACT));
      for (let q = e; q < Math.min(n, e + 6); q++) {
        if (newSentence(q) && q > e) break;
        const w = m.lemmas[q] ?? '';
        if (has(q, P.YOUR)) yours = true;
        if (w === 'the' || w === 'our' || w === 'this' || w === 'that') the = true;
        if (w === 'my') break;
        if (w === 'a' || w === 'an') indefinite = true;
        if (has(q, P.PROMPTOBJ)) {
          const v = val(q, P.PROMPTOBJ);
          const after = end(q, P.PROMPTOBJ);
          const aimedElsewhere = after < n && !newSentence(after) && L.OBJECT_COMPLEMENT.has(m.lemmas[after] ?? '') && !pointsAtAssistant(after + 1);
          if (yours && !aimedElsewhere) ev.add('prompt-extraction', 5.5 * v);
          else if (v >= 1 && !weakVerb && !indefinite && !aimedElsewhere) ev.add('prompt-extraction', 5.5 * v);
          else ev.add('weak:prompt-mention', 0.8 * v);
          break;
        }
        if (has(q, P.SECRET)) {
          const tt = termText(q, P.SECRET);
          const after = end(q, P.SECRET);
          if (after < n && !newSentence(after) && L.SECRET_MODIFIED.has(m.lemmas[after] ?? '')) break;
          const generic = tt === 'key' || tt === 'token' || tt === 'database' || tt === 'secret';
          if (yours) ev.add('secret-extraction', generic ? 3.2 : 4.6);
          else if (the && !indefinite) ev.add('secret-request', generic ? 1.5 : 3.2);
          break;
        }
      }
    }

    // 3. Phrase classes.
    phrase(i, P.JAILBREAK, 'jailbreak');
    phrase(i, P.PERSONA, 'persona');
    phrase(i, P.NEWRULES, 'new-rules');
    phrase(i, P.AUTHORITY, 'authority');
    phrase(i, P.HYPO, 'hypothetical');
    phrase(i, P.HIJACK, 'hijack');
    phrase(i, P.ENCODING, 'encoding');
    if (has(i, P.SIGNAL)) ev.add(`weak:signal:${termText(i, P.SIGNAL)}`, val(i, P.SIGNAL));
  }
  return { override, sawOverrideVerb };

  function phrase(i: number, cls: number, name: string): void {
    if (!has(i, cls)) return;
    const v = val(i, cls);
    // "never refuse" style phrases after a negation are still jailbreak phrases; only plain
    // mentions are weighed as weak evidence.
    const key = `${v < WEAK ? 'weak:' : ''}${name}:${termText(i, cls)}`;
    ev.add(key, v);
  }
}
