/** plan and apply end to end: read the server, build the desired state, diff, check the pitfalls. */
import type { SafeguardsApi } from './api.ts';
import { type ApplyResult, applyPlan, type ApplyHooks } from './apply.ts';
import { desiredState, fileRegions } from './desired.ts';
import { SafeguardsFileError, type LoadedFile } from './file.ts';
import { type Pitfall, pitfalls } from './pitfalls.ts';
import { type Change, plan } from './plan.ts';
import { type ActualState, readActualState } from './read-state.ts';

export interface PlanResult {
  regions: string[];
  actual: ActualState;
  changes: Change[];
  unmanaged: string[];
  pitfalls: Pitfall[];
}

export async function planFile(api: SafeguardsApi, loaded: LoadedFile, opts: { prune: boolean; defaultRegion: string }): Promise<PlanResult> {
  const regions = fileRegions(loaded.file, opts.defaultRegion);
  const actual = await readActualState(api, regions);
  const desired = desiredState(loaded.file, actual.state, actual.known, opts.defaultRegion);
  if (desired.problems.length) throw new SafeguardsFileError(`${loaded.name} cannot be planned:`, desired.problems);
  const p = plan(desired.state, actual.state, { prune: opts.prune });
  return { regions, actual, changes: p.changes, unmanaged: p.unmanaged, pitfalls: pitfalls(desired.state, actual.state, opts.prune) };
}

export async function applyFile(api: SafeguardsApi, planned: PlanResult, hooks?: ApplyHooks): Promise<ApplyResult> {
  return applyPlan(api, planned.changes, planned.actual.ids, hooks);
}
