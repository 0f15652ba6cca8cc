/**
 * The one error of a store that cannot be reached (PostgreSQL down, the network cut, the pool unable to get a
 * connection in time): `ServiceUnavailableException` (HTTP 503), whatever the operation. Guardrails fail closed,
 * so a call whose enforcement, identity or audit record needs the store is refused rather than served without
 * them. Clients (and load balancers) may retry: the condition is transient.
 */
import { ServiceError } from '../core/errors.ts';

export class StoreUnavailableError extends ServiceError {
  /** What could not be reached, e.g. `PostgreSQL at db.internal:5432/parapet`. */
  readonly target: string;
  /** The driver's reason (connection refused, terminated, timeout…), without credentials. */
  readonly reason: string;

  constructor(target: string, reason: string) {
    super(
      'ServiceUnavailableException',
      `The Parapet store (${target}) is unreachable (${reason}); the call was refused because guardrails fail closed. Retry shortly.`,
    );
    this.target = target;
    this.reason = reason;
  }
}

export function isStoreUnavailable(err: unknown): err is StoreUnavailableError {
  return err instanceof StoreUnavailableError;
}
