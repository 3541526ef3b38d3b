// An error as AWS answers it: a code the SDK turns into an exception name, a message, and
// the HTTP status the service uses for it.
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A required parameter is absent (EC2's MissingParameter). */
export function missing(name: string): AwsError {
  return new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
}

export function invalidValue(name: string, value: string, why = ''): AwsError {
  return new AwsError('InvalidParameterValue', `Invalid value '${value}' for ${name}.${why ? ` ${why}` : ''}`);
}
