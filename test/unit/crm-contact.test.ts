import { Contact, contactTaken, displayName, emailKey, isContactId } from '../../src/modules/crm/domain/contact';
import { CustomFieldRules, type CustomFieldState } from '../../src/modules/crm/domain/custom-field';
import { ConflictError, InvalidInputError } from '../../src/platform/errors';

const TENANT = 'ten_01M88YXTM0Q4R7S9T2V5W8X1Y3';
const at = (iso: string) => new Date(iso);

function field(key: string, type: CustomFieldState['type'], extra: Partial<CustomFieldState> = {}): CustomFieldState {
  const now = at('2026-11-25T09:00:00.000Z');
  return { id: `cfd_${key}`, tenantId: TENANT, object: 'contact', key, label: key, description: null, type, options: null, required: false, version: 1, createdAt: now, updatedAt: now, ...extra };
}

const none = new CustomFieldRules('contact', []);
const pointers = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError) return err.fields.map((f) => f.pointer).sort();
    throw err;
  }
  throw new Error('expected an InvalidInputError');
};

describe('Contact', () => {
  it('is created with a con_ id, normalised lists and a created event', () => {
    const now = at('2026-11-25T10:00:00.000Z');
    const c = Contact.create(TENANT, { firstName: 'Ada', email: 'Ada@Example.org', phones: ['+493012345678', '+493012345678'], tags: ['vip', 'vip', 'b2b'] }, none, now);
    expect(isContactId(c.id)).toBe(true);
    expect(c.snapshot).toMatchObject({ firstName: 'Ada', lastName: null, email: 'Ada@Example.org', phones: ['+493012345678'], tags: ['vip', 'b2b'], version: 1, createdAt: now });
    const events = c.pullEvents();
    expect(events.map((e) => [e.type, e.aggregateType, e.aggregateId])).toEqual([['crm.contact.created', 'contact', c.id]]);
    expect(events[0].payload).toEqual({ contact_id: c.id, email: 'Ada@Example.org', account_id: null, owner_id: null, external_id: null });
    expect(c.pullEvents()).toEqual([]);
  });

  it('needs a first or a last name, and names both fields when it has neither', () => {
    expect(pointers(() => Contact.create(TENANT, { email: 'x@example.org' }, none))).toEqual(['/first_name', '/last_name']);
    expect(pointers(() => Contact.create(TENANT, { firstName: null, lastName: null }, none))).toEqual(['/first_name', '/last_name']);
    expect(Contact.create(TENANT, { lastName: 'Lovelace' }, none).snapshot.lastName).toBe('Lovelace');
    const c = Contact.create(TENANT, { firstName: 'Ada', lastName: 'Lovelace' }, none);
    // Clearing one name is fine; clearing the last one left is not.
    c.change({ firstName: null }, none);
    expect(pointers(() => c.change({ lastName: null }, none))).toEqual(['/first_name', '/last_name']);
    expect(c.snapshot.lastName).toBe('Lovelace');
  });

  it('refuses additional emails that repeat each other or the primary email, ignoring case', () => {
    expect(pointers(() => Contact.create(TENANT, { firstName: 'A', email: 'a@x.example', additionalEmails: ['b@x.example', 'A@X.example', 'B@x.example'] }, none))).toEqual([
      '/additional_emails/1',
      '/additional_emails/2',
    ]);
    const c = Contact.create(TENANT, { firstName: 'A', email: 'a@x.example', additionalEmails: ['b@x.example'] }, none);
    // Promoting an additional email to primary means sending both.
    expect(pointers(() => c.change({ email: 'B@x.example' }, none))).toEqual(['/additional_emails/0']);
    c.change({ email: 'b@x.example', additionalEmails: ['a@x.example'] }, none);
    expect(c.snapshot).toMatchObject({ email: 'b@x.example', additionalEmails: ['a@x.example'] });
  });

  it('names every bad field at once: names and custom fields', () => {
    const rules = new CustomFieldRules('contact', [field('newsletter', 'boolean'), field('tier', 'enum', { options: ['a', 'b'], required: true })]);
    expect(pointers(() => Contact.create(TENANT, { customFields: { newsletter: 'yes' } }, rules))).toEqual(['/custom_fields/newsletter', '/custom_fields/tier', '/first_name', '/last_name']);
    const c = Contact.create(TENANT, { firstName: 'A', customFields: { tier: 'a', newsletter: true } }, rules);
    expect(c.snapshot.customFields).toEqual({ tier: 'a', newsletter: true });
    c.change({ customFields: { newsletter: null } }, rules);
    expect(c.snapshot.customFields).toEqual({ tier: 'a' });
    expect(pointers(() => c.change({ customFields: { tier: null } }, rules))).toEqual(['/custom_fields/tier']);
  });

  it('changes by merge patch: a new version and an event naming the fields; nothing changed, nothing recorded', () => {
    const c = Contact.create(TENANT, { firstName: 'Ada', title: 'CTO', tags: ['a'] }, none, at('2026-11-25T10:00:00.000Z'));
    c.pullEvents();
    const later = at('2026-11-26T10:00:00.000Z');
    expect(c.change({ title: 'CEO', tags: ['a'], ownerId: 'u-1' }, none, later)).toEqual(['title', 'owner_id']);
    expect(c.snapshot).toMatchObject({ title: 'CEO', ownerId: 'u-1', version: 2, updatedAt: later });
    expect(c.pullEvents().map((e) => [e.type, e.payload])).toEqual([['crm.contact.updated', { contact_id: c.id, changed: ['title', 'owner_id'] }]]);
    expect(c.change({ title: 'CEO', firstName: 'Ada' }, none)).toEqual([]);
    expect(c.version).toBe(2);
    expect(c.pullEvents()).toEqual([]);
  });

  it('records its deletion', () => {
    const c = Contact.restore({ ...Contact.create(TENANT, { lastName: 'L' }, none).snapshot });
    c.delete();
    expect(c.pullEvents().map((e) => [e.type, e.payload])).toEqual([['crm.contact.deleted', { contact_id: c.id }]]);
  });

  it('compares emails ignoring case, and a duplicate is a 409 naming the contact that has it', () => {
    expect(emailKey('Ada.Lovelace@Example.ORG')).toBe(emailKey('ada.lovelace@example.org'));
    const taken = contactTaken('email', 'ada@example.org', 'con_01M8A4D6F8H0K2M4P6R8T0W2Y4');
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken.extensions).toEqual({ existing_contact_id: 'con_01M8A4D6F8H0K2M4P6R8T0W2Y4' });
    expect(taken.message).toMatch(/already has the email ada@example.org/);
    expect(contactTaken('external_id', 'sf-1', undefined).extensions).toEqual({});
  });

  it('shows its name as one line', () => {
    expect(displayName({ firstName: 'Ada', lastName: 'Lovelace' })).toBe('Ada Lovelace');
    expect(displayName({ firstName: null, lastName: 'Lovelace' })).toBe('Lovelace');
  });
});
