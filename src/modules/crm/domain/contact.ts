import { ConflictError, InvalidInputError, type InvalidField } from '../../../platform/errors';
import { type DomainEvent, domainEvent } from '../../../platform/events/domain-event';
import { isId, newId } from '../../../platform/ids';
import type { CustomFieldRules, FieldValues } from './custom-field';
import { normalizeTags } from './values';

export interface ContactState {
  id: string;
  tenantId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  additionalEmails: string[];
  phones: string[];
  title: string | null;
  accountId: string | null;
  ownerId: string | null;
  tags: string[];
  externalId: string | null;
  customFields: FieldValues;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What a new contact is made of; absent and null mean no value. */
export interface ContactInput {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  additionalEmails?: string[];
  phones?: string[];
  title?: string | null;
  accountId?: string | null;
  ownerId?: string | null;
  tags?: string[];
  externalId?: string | null;
  customFields?: Record<string, unknown>;
}

/** A JSON Merge Patch of a contact: custom fields merge, the rest (lists included) replaces. */
export type ContactPatch = ContactInput;

export const isContactId = (value: string): boolean => isId('con', value);

/**
 * How emails are compared (and kept unique per tenant): the address as given, lower-cased. The
 * local part may in theory be case-sensitive; no mail system in use treats it so, and an
 * integrator who sends `Ada@x` after `ada@x` means the same person.
 */
export function emailKey(email: string): string {
  return email.normalize('NFC').toLowerCase();
}

/** The 409 for an email or external id another contact has, naming it when it is known. */
export function contactTaken(field: 'email' | 'external_id', value: string, existingId: string | undefined): ConflictError {
  return new ConflictError(`Contact ${existingId ?? '(another)'} already has the ${field === 'email' ? 'email' : 'external_id'} ${value}.`, existingId ? { existing_contact_id: existingId } : {});
}

const AGGREGATE = 'contact';

/** Fields an update event names (`changed`), in the contract's spelling. */
const FIELD_NAMES: Record<Exclude<keyof ContactState, 'id' | 'tenantId' | 'version' | 'createdAt' | 'updatedAt'>, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  additionalEmails: 'additional_emails',
  phones: 'phones',
  title: 'title',
  accountId: 'account_id',
  ownerId: 'owner_id',
  tags: 'tags',
  externalId: 'external_id',
  customFields: 'custom_fields',
};

/**
 * The rules a contact's own fields keep, whatever wrote them: a first or a last name, and
 * additional emails that repeat neither each other nor the primary email (compared by
 * emailKey). A 400 naming each field that breaks one.
 */
function checkFields(s: Pick<ContactState, 'firstName' | 'lastName' | 'email' | 'additionalEmails'>): void {
  const problems: InvalidField[] = [];
  if (!s.firstName && !s.lastName) {
    const detail = 'a contact needs a first_name or a last_name';
    problems.push({ pointer: '/first_name', detail }, { pointer: '/last_name', detail });
  }
  const seen = new Set(s.email ? [emailKey(s.email)] : []);
  s.additionalEmails.forEach((address, i) => {
    const key = emailKey(address);
    if (seen.has(key)) problems.push({ pointer: `/additional_emails/${i}`, detail: s.email && key === emailKey(s.email) ? 'is the primary email' : 'is listed twice (ignoring case)' });
    seen.add(key);
  });
  if (problems.length) throw new InvalidInputError(problems);
}

/** The person's name as one line: first and last, whichever it has. */
export function displayName(s: Pick<ContactState, 'firstName' | 'lastName'>): string {
  return [s.firstName, s.lastName].filter(Boolean).join(' ');
}

/**
 * A person the tenant deals with, at zero or one account. The account's existence (and that it
 * is not archived) is checked by the caller: a contact does not hold its account. Contacts are
 * deleted for good; their email and external id are then free again.
 */
export class Contact {
  private pending: DomainEvent[] = [];

  private constructor(private state: ContactState) {}

  static create(tenantId: string, input: ContactInput, fields: CustomFieldRules, now = new Date()): Contact {
    const state: ContactState = {
      id: newId('con'),
      tenantId,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      email: input.email ?? null,
      additionalEmails: [...(input.additionalEmails ?? [])],
      phones: [...new Set(input.phones ?? [])],
      title: input.title ?? null,
      accountId: input.accountId ?? null,
      ownerId: input.ownerId ?? null,
      tags: normalizeTags(input.tags ?? []),
      externalId: input.externalId ?? null,
      customFields: {},
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    // Both checks run before either throws, so one 400 names every bad field.
    const problems = collect(() => checkFields(state), () => (state.customFields = fields.apply({}, input.customFields, true)));
    if (problems.length) throw new InvalidInputError(problems);
    const contact = new Contact(state);
    contact.record('crm.contact.created', { email: state.email, account_id: state.accountId, owner_id: state.ownerId, external_id: state.externalId }, now);
    return contact;
  }

  static restore(state: ContactState): Contact {
    return new Contact({ ...state });
  }

  get snapshot(): Readonly<ContactState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  /** Applies a merge patch; a patch that changes nothing keeps the version. Returns the fields changed. */
  change(patch: ContactPatch, fields: CustomFieldRules, now = new Date()): string[] {
    const s = this.state;
    const next: ContactState = {
      ...s,
      ...(patch.firstName !== undefined && { firstName: patch.firstName }),
      ...(patch.lastName !== undefined && { lastName: patch.lastName }),
      ...(patch.email !== undefined && { email: patch.email }),
      ...(patch.additionalEmails !== undefined && { additionalEmails: [...patch.additionalEmails] }),
      ...(patch.phones !== undefined && { phones: [...new Set(patch.phones)] }),
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.accountId !== undefined && { accountId: patch.accountId }),
      ...(patch.ownerId !== undefined && { ownerId: patch.ownerId }),
      ...(patch.tags !== undefined && { tags: normalizeTags(patch.tags) }),
      ...(patch.externalId !== undefined && { externalId: patch.externalId }),
    };
    const problems = collect(
      () => checkFields(next),
      () => {
        if (patch.customFields !== undefined) next.customFields = fields.apply(s.customFields, patch.customFields, false);
      },
    );
    if (problems.length) throw new InvalidInputError(problems);
    const changed = (Object.keys(FIELD_NAMES) as (keyof typeof FIELD_NAMES)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(s[k]));
    if (!changed.length) return [];
    this.state = { ...next, version: s.version + 1, updatedAt: now };
    const names = changed.map((k) => FIELD_NAMES[k]);
    this.record('crm.contact.updated', { changed: names }, now);
    return names;
  }

  /** Marks the contact deleted: the repository removes it, the event says so. */
  delete(now = new Date()): void {
    this.record('crm.contact.deleted', {}, now);
  }

  pullEvents(): DomainEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  private record(type: string, payload: Record<string, unknown>, now: Date): void {
    this.pending.push(domainEvent(type, this.state.tenantId, { type: AGGREGATE, id: this.state.id }, { contact_id: this.state.id, ...payload }, now));
  }
}

/** Runs each check, gathering the fields of every InvalidInputError; other errors pass through. */
function collect(...checks: (() => void)[]): InvalidField[] {
  const problems: InvalidField[] = [];
  for (const check of checks) {
    try {
      check();
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      problems.push(...err.fields);
    }
  }
  return problems;
}
