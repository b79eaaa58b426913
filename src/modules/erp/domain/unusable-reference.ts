import { AppError, type InvalidField } from '../../../platform/errors';

/**
 * The request is well-formed, but names something the ERP cannot use: a CRM account that does
 * not exist or is archived, a tax rate that does not exist or is deactivated, a currency other
 * than the base currency. A 422 naming each field by JSON pointer (the kernel's errors have no
 * 422 of this kind: the module's HTTP layer answers it, see http/unusable.ts).
 */
export class UnusableReferenceError extends AppError {
  constructor(readonly fields: readonly InvalidField[]) {
    super(fields.length === 1 ? `${fields[0].pointer.slice(1).replace(/\//g, '.')} ${fields[0].detail}.` : `${fields.length} fields name what cannot be used.`);
  }
}
