// A user-facing CLI failure: printed as one line, never with a stack trace.

/** Bad arguments (exit 2) or a failure the user can act on (exit 1). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'CliError';
  }
}
