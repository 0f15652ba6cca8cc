/**
 * Word lists against obfuscated text: the views of a folded text (see `normalize.ts`) in which a hidden word
 * shows again, and the extra matches found in them, in folded offsets.
 *
 *  - confusables (`evasion/confusables.ts`): `bluеbіrd` with Cyrillic letters is matched as `bluebird`;
 *  - leetspeak (`evasion/leet.ts`): `blu3b1rd`, `Pr0j3c7 F4lc0n` are matched by a second matcher built from
 *    the words' canonical forms;
 *  - letter spacing (`evasion/spaced.ts`): `b l u e b i r d`, `f.u.c.k.i.n.g` — runs of single letters are
 *    joined and matched, for custom words against the words with their spaces removed, anywhere in the run.
 *
 * Zero-width characters and full-width forms need no view: folding already removes and narrows them. Each view
 * is built only when a cheap test says it can find something, so ordinary text pays a few regex tests. The
 * managed profanity list handles confusables and leetspeak itself (obscenity's transformers); it gets the
 * spaced runs. The extra matchers are built on first use, so a guardrail that never sees obfuscated text never
 * pays for them.
 */
import { skeleton } from '../evasion/confusables.ts';
import { holdsLeet, leetCanonical, leetPositions } from '../evasion/leet.ts';
import { spacedRuns } from '../evasion/spaced.ts';
import { windowsAround } from '../evasion/windows.ts';
import { CustomWordMatcher, type FoldedMatch } from './custom.ts';
import { isWordUnit } from './normalize.ts';
import { scanProfanityFolded } from './profanity.ts';

/** An extra match, in offsets of the folded text. */
export interface ViewHit {
  list: 'CUSTOM' | 'PROFANITY';
  /** CUSTOM: index of the configured word; PROFANITY: -1. */
  index: number;
  /** PROFANITY: the canonical term. */
  term: string;
  start: number;
  end: number;
}

function withoutSeparators(folded: string): string {
  let out = '';
  for (let i = 0; i < folded.length; i++) if (isWordUnit(folded.charCodeAt(i))) out += folded[i];
  return out;
}

export class WordEvasionViews {
  readonly #custom: readonly string[];
  readonly #profanity: boolean;
  #leet: CustomWordMatcher | undefined;
  #joined: CustomWordMatcher | undefined;

  /** `custom`: the configured words, folded (as given to the main matcher). */
  /** How far a configured word reaches from one of its characters (its longest folded length). */
  readonly #reach: number;

  constructor(custom: readonly string[], profanity: boolean, private readonly main: CustomWordMatcher) {
    this.#custom = custom;
    this.#profanity = profanity;
    this.#reach = custom.reduce((m, w) => Math.max(m, w.length), 0) + 1;
  }

  get #leetMatcher(): CustomWordMatcher {
    this.#leet ??= new CustomWordMatcher(this.#custom.map((w) => leetCanonical(w)));
    return this.#leet;
  }

  get #joinedMatcher(): CustomWordMatcher {
    this.#joined ??= new CustomWordMatcher(this.#custom.map((w) => leetCanonical(withoutSeparators(w))));
    return this.#joined;
  }

  /** Matches the views of `folded` add (they may overlap the plain matches; the caller merges). */
  hits(folded: string): ViewHit[] {
    const out: ViewHit[] = [];
    const hasCustom = this.main.size > 0;
    const skel = skeleton(folded);
    const base = skel ?? folded;
    if (hasCustom) {
      if (skel !== null) pushCustom(out, this.main.scanFolded(skel));
      // Leetspeak: the canonical form is built and matched only around the digits and symbols that touch
      // letters, and a match counts only if it holds one of them (the rest the plain matcher saw).
      const positions = leetPositions(base);
      if (positions.length > 0)
        for (const [ws, we] of windowsAround(base, positions, this.#reach)) {
          for (const m of this.#leetMatcher.scanFolded(leetCanonical(base.slice(ws, we))))
            if (holdsLeet(base, ws + m.start, ws + m.end)) out.push({ list: 'CUSTOM', index: m.index, term: '', start: ws + m.start, end: ws + m.end });
        }
    }
    for (const run of spacedRuns(base, 'letters')) {
      const at = (j: number): number => run.offsets[j] ?? 0;
      if (hasCustom)
        for (const m of this.#joinedMatcher.scanAnywhere(leetCanonical(run.text)))
          out.push({ list: 'CUSTOM', index: m.index, term: '', start: at(m.start), end: at(m.end - 1) + 1 });
      if (this.#profanity) {
        // The run may begin with a one-letter word (`a s h i t…`): the profanity patterns want a word start,
        // so the run is also read from its second and third letters.
        for (let from = 0; from < 3 && run.text.length - from >= 3; from++) {
          const found = scanProfanityFolded(run.text.slice(from));
          for (const m of found)
            out.push({ list: 'PROFANITY', index: -1, term: m.term, start: at(from + m.start), end: at(from + m.end - 1) + 1 });
          if (found.length > 0) break;
        }
      }
    }
    return out;
  }
}

function pushCustom(out: ViewHit[], matches: readonly FoldedMatch[]): void {
  for (const m of matches) out.push({ list: 'CUSTOM', index: m.index, term: '', start: m.start, end: m.end });
}
