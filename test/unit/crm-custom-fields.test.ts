import { InvalidInputError } from '../../src/platform/errors';
import { CustomField, CustomFieldRules, type CustomFieldState } from '../../src/modules/crm/domain/custom-field';
import { Account } from '../../src/modules/crm/domain/account';

const field = (over: Partial<CustomFieldState>): CustomFieldState => ({
  id: 'cfd_x',
  tenantId: 'ten_x',
  object: 'account',
  key: 'k',
  label: 'K',
  description: null,
  type: 'string',
  options: null,
  required: false,
  version: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});

const rules = new CustomFieldRules('account', [
  field({ key: 'tier', type: 'enum', options: ['bronze', 'gold'], required: true }),
  field({ key: 'seats', type: 'number' }),
  field({ key: 'renewal', type: 'date' }),
  field({ key: 'vip', type: 'boolean' }),
  field({ key: 'note', type: 'string' }),
  field({ key: 'other_object', object: 'contact' }),
]);

function refused(run: () => unknown): { pointer: string; detail: string }[] {
  try {
    run();
  } catch (err) {
    if (err instanceof InvalidInputError) return [...err.fields].sort((a, b) => (a.pointer < b.pointer ? -1 : 1));
    throw err;
  }
  throw new Error('not refused');
}

describe('custom field values', () => {
  it('are checked against their definitions by type, naming custom_fields.<key>', () => {
    const problems = refused(() => rules.apply({}, { tier: 'platinum', seats: '10', renewal: '2026-02-30', vip: 'yes', note: 'x'.repeat(1001), colour: 'red', other_object: 'x' }, true));
    expect(problems.map((p) => p.pointer)).toEqual([
      '/custom_fields/colour',
      '/custom_fields/note',
      '/custom_fields/other_object',
      '/custom_fields/renewal',
      '/custom_fields/seats',
      '/custom_fields/tier',
      '/custom_fields/vip',
    ]);
    expect(problems.find((p) => p.pointer === '/custom_fields/tier')!.detail).toBe('must be one of: bronze, gold');
    expect(problems.find((p) => p.pointer === '/custom_fields/colour')!.detail).toMatch(/not a custom field of accounts/);
  });

  it('require the required ones on create only, and merge as a patch (null removes, but not a required one)', () => {
    expect(refused(() => rules.apply({}, { seats: 3 }, true))).toEqual([{ pointer: '/custom_fields/tier', detail: 'is required' }]);
    const values = rules.apply({}, { tier: 'gold', seats: 3, renewal: '2028-02-29', vip: false }, true);
    expect(values).toEqual({ tier: 'gold', seats: 3, renewal: '2028-02-29', vip: false });
    expect(rules.apply(values, { seats: null, note: 'hi' }, false)).toEqual({ tier: 'gold', renewal: '2028-02-29', vip: false, note: 'hi' });
    expect(refused(() => rules.apply(values, { tier: null }, false))).toEqual([{ pointer: '/custom_fields/tier', detail: 'is required and cannot be removed' }]);
    // A record made before a required field existed may be changed without it.
    expect(rules.apply({ seats: 1 }, { seats: 2 }, false)).toEqual({ seats: 2 });
  });

  it('are what an account is created and changed with', () => {
    expect(() => Account.create('ten_x', { name: 'A', customFields: { seats: 1 } }, rules)).toThrow(InvalidInputError);
    const account = Account.create('ten_x', { name: 'A', customFields: { tier: 'bronze' } }, rules);
    account.change({ customFields: { seats: 12 } }, rules);
    expect(account.snapshot.customFields).toEqual({ tier: 'bronze', seats: 12 });
    expect(account.snapshot.version).toBe(2);
    expect(account.pullEvents().map((e) => [e.type, e.payload.changed])).toEqual([
      ['crm.account.created', undefined],
      ['crm.account.updated', ['custom_fields']],
    ]);
  });
});

describe('custom field definitions', () => {
  it('need options for an enum, and only for an enum', () => {
    const base = { tenantId: 'ten_x', object: 'account' as const, key: 'k', label: 'K', description: null, required: false };
    expect(() => CustomField.define({ ...base, type: 'enum' }, 0)).toThrow(InvalidInputError);
    expect(() => CustomField.define({ ...base, type: 'number', options: ['a'] }, 0)).toThrow(InvalidInputError);
    expect(() => CustomField.define({ ...base, type: 'number' }, 100)).toThrow(/100 custom fields/);
  });

  it('let enum options grow but never shrink (stored values must stay valid)', () => {
    const f = CustomField.define({ tenantId: 'ten_x', object: 'account', key: 'tier', label: 'Tier', description: null, type: 'enum', options: ['a', 'b'], required: false }, 0);
    f.change({ options: ['a', 'b', 'c'] });
    expect(f.snapshot.options).toEqual(['a', 'b', 'c']);
    expect(f.version).toBe(2);
    expect(() => f.change({ options: ['a', 'c'] })).toThrow(/may only be added.*"b"/);
    f.change({ label: 'Tier' });
    expect(f.version).toBe(2);
  });
});
