import { ConflictError, InvalidInputError, type InvalidField } from '../../../platform/errors';
import { newId } from '../../../platform/ids';

export type FieldObject = 'account' | 'contact' | 'opportunity';
export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'enum';
export type FieldValue = string | number | boolean;
export type FieldValues = Readonly<Record<string, FieldValue>>;

export interface CustomFieldState {
  id: string;
  tenantId: string;
  object: FieldObject;
  key: string;
  label: string;
  description: string | null;
  type: FieldType;
  options: string[] | null;
  required: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface CustomFieldChanges {
  label?: string;
  description?: string | null;
  options?: string[];
  required?: boolean;
}

/** Fields an object may have: the per-tenant contract and the GIN index stay reasonable. */
export const MAX_FIELDS_PER_OBJECT = 100;
export const MAX_TEXT_VALUE = 1000;
export const MAX_NUMBER_VALUE = 1e15;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(2000, mo - 1, d));
  return y >= 1 && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Why `value` is not a value of the field, or undefined when it is. */
export function fieldValueProblem(field: Pick<CustomFieldState, 'type' | 'options'>, value: unknown): string | undefined {
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') return 'must be text';
      return value.length > MAX_TEXT_VALUE ? `must be at most ${MAX_TEXT_VALUE} characters` : undefined;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      return Math.abs(value) > MAX_NUMBER_VALUE ? 'must be between -10^15 and 10^15' : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? undefined : 'must be a date, YYYY-MM-DD';
    case 'enum':
      return typeof value === 'string' && field.options!.includes(value) ? undefined : `must be one of: ${field.options!.join(', ')}`;
  }
}

/**
 * The custom fields one kind of record has in one tenant: what every write of that record is
 * checked against. Values are kept by key in one JSON object per record.
 */
export class CustomFieldRules {
  private readonly byKey: ReadonlyMap<string, Readonly<CustomFieldState>>;

  constructor(
    readonly object: FieldObject,
    fields: readonly Readonly<CustomFieldState>[],
  ) {
    this.byKey = new Map(fields.filter((f) => f.object === object).map((f) => [f.key, f]));
  }

  get fields(): Readonly<CustomFieldState>[] {
    return [...this.byKey.values()];
  }

  /**
   * The values a record has after `patch` (a JSON Merge Patch: `null` removes a value) is
   * applied to `current`, or a 400 naming each bad `custom_fields.<key>`. On create, `current` is
   * empty and every required field must be given.
   */
  apply(current: FieldValues, patch: Readonly<Record<string, unknown>> | undefined, creating: boolean): FieldValues {
    const next: Record<string, FieldValue> = { ...current };
    const problems: InvalidField[] = [];
    for (const [key, value] of Object.entries(patch ?? {})) {
      const field = this.byKey.get(key);
      const pointer = `/custom_fields/${key}`;
      if (!field) {
        problems.push({ pointer, detail: `is not a custom field of ${this.object}s${this.byKey.size ? ` (they are: ${[...this.byKey.keys()].join(', ')})` : ' (none is defined)'}` });
        continue;
      }
      if (value === null) {
        if (field.required) problems.push({ pointer, detail: 'is required and cannot be removed' });
        else delete next[key];
        continue;
      }
      const problem = fieldValueProblem(field, value);
      if (problem) problems.push({ pointer, detail: problem });
      else next[key] = value as FieldValue;
    }
    if (creating) {
      for (const field of this.byKey.values()) {
        // A required field sent with a bad value is already named for that.
        if (field.required && next[field.key] === undefined && !problems.some((p) => p.pointer === `/custom_fields/${field.key}`)) problems.push({ pointer: `/custom_fields/${field.key}`, detail: 'is required' });
      }
    }
    if (problems.length) throw new InvalidInputError(problems);
    return next;
  }
}

/**
 * A tenant's definition of one custom field of accounts, contacts or opportunities. Definitions
 * publish no events: they shape the tenant's contract (`GET /crm/openapi.json`), not its data.
 */
export class CustomField {
  private constructor(private state: CustomFieldState) {}

  static define(
    input: { tenantId: string; object: FieldObject; key: string; label: string; description: string | null; type: FieldType; options?: string[]; required: boolean },
    existing: number,
    now = new Date(),
  ): CustomField {
    if (existing >= MAX_FIELDS_PER_OBJECT) throw new ConflictError(`${input.object}s already have ${MAX_FIELDS_PER_OBJECT} custom fields, the most an object may have.`);
    const problems: InvalidField[] = [];
    if (input.type === 'enum' && !input.options?.length) problems.push({ pointer: '/options', detail: 'is required for an enum field' });
    if (input.type !== 'enum' && input.options !== undefined) problems.push({ pointer: '/options', detail: 'is for enum fields only' });
    if (problems.length) throw new InvalidInputError(problems);
    return new CustomField({
      id: newId('cfd'),
      tenantId: input.tenantId,
      object: input.object,
      key: input.key,
      label: input.label,
      description: input.description,
      type: input.type,
      options: input.type === 'enum' ? [...input.options!] : null,
      required: input.required,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }

  static restore(state: CustomFieldState): CustomField {
    return new CustomField({ ...state });
  }

  get snapshot(): Readonly<CustomFieldState> {
    return this.state;
  }

  get version(): number {
    return this.state.version;
  }

  change(changes: CustomFieldChanges, now = new Date()): void {
    if (changes.options !== undefined) {
      if (this.state.type !== 'enum') throw new InvalidInputError([{ pointer: '/options', detail: 'is for enum fields only' }]);
      const dropped = this.state.options!.filter((o) => !changes.options!.includes(o));
      if (dropped.length) {
        throw new ConflictError(`Options of custom field ${this.state.key} may only be added: records may hold ${dropped.map((o) => `"${o}"`).join(', ')}. Define a new field to start over.`);
      }
    }
    const next = { ...this.state, ...changes, options: changes.options ? [...changes.options] : this.state.options };
    if (JSON.stringify(next) === JSON.stringify(this.state)) return;
    this.state = { ...next, version: this.state.version + 1, updatedAt: now };
  }
}
