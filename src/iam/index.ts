/**
 * IAM policy language (pure: no I/O, no clock — pass `aws:CurrentTime` in the request context).
 * parse → validate (`parsePolicy`) → evaluate (`evaluate`) → decide (`authorize`).
 */
export type {
  ConditionBlock, Decision, Effect, Evaluation, LabelledPolicy, PolicyDocument, PolicyKind, PrincipalSpec,
  RequestContext, Statement,
} from './types.ts';
export { parsePolicy, serializePolicy, MAX_POLICY_CHARS } from './parse.ts';
export { evaluate, authorize } from './evaluate.ts';
export { globMatch } from './glob.ts';
export { parseCidr, parseIp, cidrContains } from './ip.ts';
