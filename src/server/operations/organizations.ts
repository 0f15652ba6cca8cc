/** Placeholder until the organizations operations land (owned by another engineer right now). */
import type { Services } from '../../control/services.ts';
import type { Operation } from '../router.ts';

export function organizationsOperations(_services: Services): Operation[] {
  return [];
}
