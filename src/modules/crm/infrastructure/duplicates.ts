import { ConflictError } from '../../../platform/errors';

/**
 * A unique index refused a write: another record of the tenant has this value. Thrown inside the
 * unit of work (which then rolls back); the application names the other record once the
 * transaction is over, since a failed PostgreSQL transaction answers no more queries.
 */
export class DuplicateKeyError extends ConflictError {
  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(`Another record has the ${field} ${value}.`);
  }
}
