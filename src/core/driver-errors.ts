// The error vocabulary of drivers. A driver (EC2, DigitalOcean, a registry) translates its
// SDK's or API's errors into these once, so a step can treat "not found" as done, retry a
// dependency still present or a throttled call, and tell the user which permission is
// missing, without importing an SDK. Each carries the call that failed, the provider's own
// code and message, and where (region) it happened.
import { BuildError, type ErrorSource } from './errors.js';

export type DriverErrorCase =
  | 'not-found'
  | 'already-exists'
  | 'dependency'
  | 'throttled'
  | 'transient'
  | 'permission-denied'
  | 'invalid-input';

export interface DriverErrorDetails {
  /** The call that failed, as the provider names it: `ec2:RunInstances`, `POST /v2/droplets`. */
  operation: string;
  /** The provider's message, as it gave it. */
  message: string;
  /** The provider's error code (`InvalidAMIID.NotFound`, `not_found`, HTTP status...). */
  providerCode?: string;
  /** Region or data center, when the provider has them. */
  region?: string;
  /** The resource the call was about (`ami-0abc`, `droplet 1234`). */
  resource?: string;
  /** What the user can do about it; appended to the message. */
  hint?: string;
  cause?: unknown;
}

/** What every driver error has; `case` says which one without an instanceof chain. */
export abstract class DriverError extends BuildError {
  abstract readonly case: DriverErrorCase;
  readonly operation: string;
  readonly providerCode: string | undefined;
  readonly providerMessage: string;
  readonly region: string | undefined;
  readonly resource: string | undefined;
  /** Set by withRetry when it gave up: how many calls were made in all. */
  attempts = 1;

  constructor(code: string, source: ErrorSource, d: DriverErrorDetails) {
    super(describe(d), { code, source, cause: d.cause });
    this.operation = d.operation;
    this.providerCode = d.providerCode;
    this.providerMessage = d.message;
    this.region = d.region;
    this.resource = d.resource;
  }

  /** Throttled and transient errors go away by themselves; the rest need a change. */
  get retryable(): boolean {
    return this.case === 'throttled' || this.case === 'transient';
  }
}

/** `ec2:RunInstances (eu-west-1): InvalidAMIID.NotFound: The image id 'ami-1' does not exist; <hint>` */
function describe(d: DriverErrorDetails): string {
  const where = d.region === undefined ? '' : ` (${d.region})`;
  const code = d.providerCode === undefined ? '' : `${d.providerCode}: `;
  const hint = d.hint === undefined ? '' : `; ${d.hint}`;
  return `${d.operation}${where}: ${code}${d.message}${hint}`;
}

/** The resource does not exist (any more). A delete that gets this is done. */
export class NotFoundError extends DriverError {
  readonly case = 'not-found';
  constructor(d: DriverErrorDetails) {
    super('E_NOT_FOUND', 'user', d);
  }
}

/** A resource with that name or token exists already (AMI name, key pair name). */
export class AlreadyExistsError extends DriverError {
  readonly case = 'already-exists';
  /** The id of the existing resource, when the provider says it. */
  readonly existing: string | undefined;
  constructor(d: DriverErrorDetails & { existing?: string }) {
    super('E_ALREADY_EXISTS', 'user', d);
    this.existing = d.existing;
  }
}

/** Something still depends on it (a security group an instance still uses): retry later. */
export class DependencyError extends DriverError {
  readonly case = 'dependency';
  /** What still depends on it, when known. */
  readonly dependent: string | undefined;
  constructor(d: DriverErrorDetails & { dependent?: string }) {
    super('E_DEPENDENCY', 'environment', d);
    this.dependent = d.dependent;
  }
}

/** The provider asked us to slow down (HTTP 429, RequestLimitExceeded). */
export class ThrottledError extends DriverError {
  readonly case = 'throttled';
  /** How long the provider asked us to wait (Retry-After), if it said. */
  readonly retryAfterMs: number | undefined;
  constructor(d: DriverErrorDetails & { retryAfterMs?: number }) {
    super('E_THROTTLED', 'environment', d);
    this.retryAfterMs = d.retryAfterMs;
  }
}

/** A 5xx, a reset or refused connection, a timeout: the same call may well succeed. */
export class TransientError extends DriverError {
  readonly case = 'transient';
  /** The HTTP status, when there was an answer at all. */
  readonly status: number | undefined;
  constructor(d: DriverErrorDetails & { status?: number }) {
    super('E_TRANSIENT', 'environment', d);
    this.status = d.status;
  }
}

/** The credentials lack a permission; `action` is what to grant (`ec2:RunInstances`). */
export class PermissionDeniedError extends DriverError {
  readonly case = 'permission-denied';
  readonly action: string;
  constructor(d: DriverErrorDetails & { action: string }) {
    super('E_PERMISSION_DENIED', 'user', { ...d, hint: d.hint ?? `grant ${d.action} to the credentials imgbuild uses` });
    this.action = d.action;
  }
}

/** The provider rejected a value; `field` names it as the template does when known. */
export class InvalidInputError extends DriverError {
  readonly case = 'invalid-input';
  readonly field: string | undefined;
  constructor(d: DriverErrorDetails & { field?: string }) {
    super('E_INVALID_INPUT', 'user', d.field === undefined ? d : { ...d, message: `${d.field}: ${d.message}` });
    this.field = d.field;
  }
}

interface DriverErrorOfCase {
  'not-found': NotFoundError;
  'already-exists': AlreadyExistsError;
  dependency: DependencyError;
  throttled: ThrottledError;
  transient: TransientError;
  'permission-denied': PermissionDeniedError;
  'invalid-input': InvalidInputError;
}

/** `isDriverError(e)`, or of one case: `if (isDriverError(e, 'not-found')) return;` */
export function isDriverError(e: unknown): e is DriverError;
export function isDriverError<C extends DriverErrorCase>(e: unknown, c: C): e is DriverErrorOfCase[C];
export function isDriverError(e: unknown, c?: DriverErrorCase): boolean {
  return e instanceof DriverError && (c === undefined || e.case === c);
}

/** A Retry-After header (seconds or an HTTP date) in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
