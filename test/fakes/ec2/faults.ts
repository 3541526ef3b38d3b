// Fault injection: per action (or transition) and rate, the faults a build must survive or
// report well. Rates are deterministic, not random: a rate of 1/3 fires on the 3rd, 6th,
// 9th... matching call, so a test counts outcomes instead of hoping for them.
import { AwsError } from './errors.js';

export type FaultKind =
  /** RequestLimitExceeded, HTTP 503. */
  | 'throttle'
  /** InternalError, HTTP 500. */
  | 'error5xx'
  /** Unavailable, HTTP 503 (the service itself down). */
  | 'unavailable'
  /** UnauthorizedOperation, HTTP 403 (a missing IAM permission). */
  | 'unauthorized'
  /** The connection is dropped without an answer. */
  | 'reset'
  /** A state transition takes `delayMs` longer. */
  | 'slow'
  /** A state transition fails (the resource ends in its failed state with a reason). */
  | 'fail';

export interface FaultRule {
  /** An API action (`RunInstances`), a transition (`launch`, `stop`, `start`, `terminate`, `capture`, `image`, `snapshot`, `copy`), or `*`. */
  target: string;
  kind: FaultKind;
  /** Fraction of matching calls that fault, 0 < rate <= 1. */
  rate: number;
  delayMs?: number;
  /** Stop after this many faults. */
  limit?: number;
}

interface RuleState {
  rule: FaultRule;
  seen: number;
  fired: number;
}

const API_KINDS = new Set<FaultKind>(['throttle', 'error5xx', 'unavailable', 'unauthorized', 'reset']);

export class Faults {
  private rules: RuleState[] = [];

  set(rules: FaultRule[]): void {
    for (const r of rules) {
      if (!(r.rate > 0 && r.rate <= 1)) throw new Error(`fault rate must be in (0, 1], got ${r.rate}`);
    }
    this.rules = rules.map((rule) => ({ rule, seen: 0, fired: 0 }));
  }

  list(): { rule: FaultRule; seen: number; fired: number }[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The fault an API call gets, if any: an AwsError to answer with, or 'reset'. */
  forAction(action: string): AwsError | 'reset' | null {
    const hit = this.fire(action, (k) => API_KINDS.has(k));
    if (!hit) return null;
    switch (hit.kind) {
      case 'throttle':
        return new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
      case 'error5xx':
        return new AwsError('InternalError', 'An internal error has occurred', 500);
      case 'unavailable':
        return new AwsError('Unavailable', 'The server is overloaded and can\'t handle the request', 503);
      case 'unauthorized':
        return new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. User: arn:aws:iam::fake:user/imgbuild is not authorized to perform: ec2:${action}`, 403);
      default:
        return 'reset';
    }
  }

  /** Extra delay and failure for a state transition. */
  forTransition(transition: string): { extraDelayMs: number; fail: boolean } {
    let extraDelayMs = 0;
    let fail = false;
    for (const kind of ['slow', 'fail'] as const) {
      const hit = this.fire(transition, (k) => k === kind);
      if (hit?.kind === 'slow') extraDelayMs += hit.delayMs ?? 5_000;
      if (hit?.kind === 'fail') fail = true;
    }
    return { extraDelayMs, fail };
  }

  private fire(target: string, kinds: (k: FaultKind) => boolean): FaultRule | null {
    for (const s of this.rules) {
      if (!kinds(s.rule.kind) || (s.rule.target !== '*' && s.rule.target !== target)) continue;
      if (s.rule.limit !== undefined && s.fired >= s.rule.limit) continue;
      s.seen++;
      if (Math.floor(s.seen * s.rule.rate + 1e-9) > Math.floor((s.seen - 1) * s.rule.rate + 1e-9)) {
        s.fired++;
        return s.rule;
      }
    }
    return null;
  }
}
