/** One line of the evaluation's target table (design/EVALUATION.md "Targets"): what was measured against which floor. */
export interface TargetRow {
  /** The policy or engine part measured ("PII", "PROMPT_ATTACK"…). */
  policy: string;
  /** What was measured ("span F1 (micro, structured types)"). */
  metric: string;
  /** The floor, as written in EVALUATION.md ("≥ 0.95"). */
  target: string;
  value: number;
  met: boolean;
  /** Which data and how (set, split), when not obvious from the metric. */
  note?: string;
}
