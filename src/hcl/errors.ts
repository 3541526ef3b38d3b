// The parser's own internal error: hcl imports nothing of ours, so it cannot use the core's
// ImgbuildError. It means a bug in the parser (an invariant broken), never bad input: bad
// input is always a diagnostic. The CLI's top-level catch reports it as an internal error.
export class HclInternalError extends Error {
  readonly code = 'E_INTERNAL';
  constructor(message: string) {
    super(`hcl: ${message}`);
    this.name = 'HclInternalError';
  }
}
