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

/** A field the contract cannot judge is wrong (a custom field, a rule across fields): 400. */
export interface InvalidField {
  /** JSON pointer into the request body, e.g. `/custom_fields/size`. */
  pointer: string;
  detail: string;
}

/** `name detail.` for one field (its pointer as a dotted name), else `N fields <many>.` */
function fieldsMessage(fields: readonly InvalidField[], many: string): string {
  return fields.length === 1 ? `${fields[0].pointer.slice(1).replace(/\//g, '.')} ${fields[0].detail}.` : `${fields.length} fields ${many}.`;
}

/** Input that breaks a rule only the domain knows: a 400 naming each failing field. */
export class InvalidInputError extends AppError {
  constructor(readonly fields: readonly InvalidField[]) {
    super(fieldsMessage(fields, 'are not valid'));
  }
}
/** Valid input that asks for what the API does not do yet (another currency): a 422 naming each field. */
export class NotSupportedError extends AppError {
  constructor(readonly fields: readonly InvalidField[]) {
    super(fieldsMessage(fields, 'ask for what is not supported yet'));
  }
}
export class ConflictError extends AppError {}
/** The version the caller based the change on is not the current one. */
export class StaleVersionError extends AppError {}

/** The versions a change is based on (from If-Match); undefined: any version (`*`, or not required). */
export type ExpectedVersion = readonly number[] | undefined;

/**
 * The optimistic check every versioned resource makes before a change: refused (412) when the
 * caller's If-Match names no current version. `what` names the resource, e.g. "API client cli_…".
 */
export function checkExpectedVersion(what: string, current: number, expected: ExpectedVersion): void {
  if (expected && !expected.includes(current)) {
    const named = expected.length ? `names version ${expected.map((v) => `"${v}"`).join(', ')}` : 'names no version this API issued (weak tags never match)';
    throw new StaleVersionError(`If-Match ${named} but ${what} is at "${current}".`);
  }
}
