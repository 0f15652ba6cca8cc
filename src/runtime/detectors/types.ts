/**
 * External detectors: stronger classifiers the operator plugs in next to the shipped ones (a local ONNX model,
 * an LLM judge behind an OpenAI-compatible endpoint). They return scores per content-filter category; the
 * guardrail's own filter settings decide what those scores mean (`engine/external.ts`).
 */
import type { Source, ContentFilterType } from '../../engine/config/types.ts';
import type { ConfidenceThresholds, ExternalCatch, ExternalFindings } from '../../engine/external.ts';

export type DetectorKind = 'onnx' | 'llm-judge';

export interface DetectContext {
  source: Source;
  /** The categories the guardrail would act on (a detector may report others; they are ignored). */
  categories: readonly ContentFilterType[];
  /** Aborted when the detector's time is up: stop work, the answer is no longer wanted. */
  signal: AbortSignal;
}

export interface Detector {
  readonly name: string;
  readonly kind: DetectorKind;
  /** Rejects when it cannot answer; the guardrail then fails closed. */
  detect(text: string, ctx: DetectContext): Promise<ExternalFindings['scores']>;
  /** Releases what the detector holds (a model session). */
  close?(): Promise<void>;
}

/** A detector as configured for the guardrails it applies to. */
export interface DetectorBinding {
  readonly detector: Detector;
  readonly timeoutMs: number;
  readonly sources: ReadonlySet<Source>;
  readonly thresholds?: ConfidenceThresholds;
}

/** What one detector did for one guardrail evaluation (audit trail; never the text). */
export interface DetectorReport {
  detector: string;
  kind: DetectorKind;
  latencyMs: number;
  /** Why it gave no answer (timeout, error, invalid answer): the guardrail failed closed. */
  error?: string;
  /** The findings a filter of the guardrail caught. */
  caught?: Array<Omit<ExternalCatch, 'detector'>>;
}
