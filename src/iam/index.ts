/**
 * IAM policy language (pure: no I/O, no clock — pass `aws:CurrentTime` in the request context).
 * parse → validate (`parsePolicy`) → evaluate (`evaluate`) → decide (`authorize`).
 * Plus: the action catalogue and aliases (`actions.ts`), the guardrail resource-policy rules
 * (`resource-policy.ts`) and the principal condition keys (`context.ts`).
 */
export type {
  ConditionBlock, Decision, Effect, Evaluation, LabelledPolicy, PolicyDocument, PolicyKind, PrincipalSpec,
  RequestContext, Statement,
} from './types.ts';
export { parsePolicy, serializePolicy, MAX_POLICY_CHARS } from './parse.ts';
export { evaluate, authorize, isAccountRoot } from './evaluate.ts';
export { globMatch } from './glob.ts';
export { parseCidr, parseIp, cidrContains } from './ip.ts';
export type { ActionAliases, CatalogueEntry, ServicePrefix } from './actions.ts';
export {
  ACTION_ALIASES, ACTION_CATALOGUE, KNOWN_ACTIONS, actionForOperation, aliasesOf, isKnownAction, lintPolicy,
} from './actions.ts';
export type { GuardrailPolicyResource, GuardrailResourceKind, ResourcePolicyGrant } from './resource-policy.ts';
export {
  GUARDRAIL_POLICY_ACTIONS, describeResourcePolicyGrant, guardrailResourcePolicyProblems, validateGuardrailResourcePolicy,
} from './resource-policy.ts';
export type { PrincipalFacts, PrincipalType } from './context.ts';
export { principalConditionKeys, principalType } from './context.ts';
