/**
 * Errors an application service may throw. They carry no HTTP: the HTTP layer maps each kind to
 * its problem type and status.
 */
export class AppError extends Error {
  constructor(
    message: string,
    /** Extension members for machine use, declared in the contract. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {}
export class ConflictError extends AppError {}
/** The version the caller based the change on is not the current one. */
export class StaleVersionError extends AppError {}
