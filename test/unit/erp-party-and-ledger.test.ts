import { LedgerAccount, LedgerCodeTakenError, ledgerCodeKey, STANDARD_CHART, standardCode } from '../../src/modules/erp/domain/ledger-account';
import { AccountTakenError, BASE_CURRENCY, isPartyId, Party } from '../../src/modules/erp/domain/party';
import { ConflictError, NotSupportedError } from '../../src/platform/errors';

const TENANT = 'ten_01M88YXTM0Q4R7S9T2V5W8X1Y3';
const ACCOUNT = 'acc_01M8A0B2C4D6E8F0G2H4J6K8M0';
const at = (iso: string) => new Date(iso);
const fieldsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof NotSupportedError) return err.fields.map((f) => f.pointer);
    throw err;
  }
  throw new Error('expected a NotSupportedError');
};

describe('Party (customer or supplier)', () => {
  it('is created with its role prefix, 30 days, no default tax rate and the base currency by default', () => {
    const now = at('2026-12-08T09:00:00.000Z');
    const customer = Party.create(TENANT, 'customer', { accountId: ACCOUNT, name: 'Northwind', billingAddress: null }, now);
    expect(isPartyId('customer', customer.id)).toBe(true);
    expect(customer.snapshot).toEqual({ id: customer.id, tenantId: TENANT, role: 'customer', accountId: ACCOUNT, name: 'Northwind', billingAddress: null, paymentTermsDays: 30, taxRateId: null, currency: 'EUR', version: 1, createdAt: now, updatedAt: now });
    const supplier = Party.create(TENANT, 'supplier', { accountId: ACCOUNT, name: 'Oakworks', billingAddress: null, paymentTermsDays: 0 });
    expect(isPartyId('supplier', supplier.id)).toBe(true);
    expect(supplier.snapshot.paymentTermsDays).toBe(0);
    expect(BASE_CURRENCY).toBe('EUR');
  });

  it('takes only the base currency, on creation and on change (a 422 naming currency)', () => {
    expect(fieldsOf(() => Party.create(TENANT, 'customer', { accountId: ACCOUNT, name: 'x', billingAddress: null, currency: 'USD' }))).toEqual(['/currency']);
    const party = Party.create(TENANT, 'customer', { accountId: ACCOUNT, name: 'x', billingAddress: null, currency: 'EUR' });
    expect(fieldsOf(() => party.change({ currency: 'GBP' }))).toEqual(['/currency']);
    expect(party.version).toBe(1);
  });

  it('changes terms and default tax rate by merge patch, the version only when something changed', () => {
    const party = Party.create(TENANT, 'supplier', { accountId: ACCOUNT, name: 'x', billingAddress: null });
    expect(party.change({ paymentTermsDays: 30, currency: 'EUR' }).changed).toBe(false);
    expect(party.change({ paymentTermsDays: 45, taxRateId: 'txr_01M8C0A2C4E6G8J0K2M4P6R8T0' }).changed).toBe(true);
    expect(party.snapshot).toMatchObject({ paymentTermsDays: 45, taxRateId: 'txr_01M8C0A2C4E6G8J0K2M4P6R8T0', version: 2 });
    expect(party.change({ taxRateId: null }).changed).toBe(true);
    expect(party.snapshot).toMatchObject({ taxRateId: null, version: 3 });
  });

  it('names the existing customer or supplier of an account in its 409', () => {
    expect(new AccountTakenError('customer', ACCOUNT, 'cus_01M8C1B3D5F7H9K1M3P5R7T9V1').extensions).toEqual({ existing_customer_id: 'cus_01M8C1B3D5F7H9K1M3P5R7T9V1' });
    expect(new AccountTakenError('supplier', ACCOUNT, 'sup_01M8C2D4F6H8K0M2P4R6T8V0X2').extensions).toEqual({ existing_supplier_id: 'sup_01M8C2D4F6H8K0M2P4R6T8V0X2' });
  });
});

describe('LedgerAccount', () => {
  it('has a standard chart of ten accounts with fixed, distinct codes and a type each', () => {
    expect(STANDARD_CHART.map((a) => a.code)).toEqual(['1000', '1200', '1300', '1400', '2000', '2100', '2200', '3000', '4000', '5000', '6000']);
    expect(new Set(STANDARD_CHART.map((a) => a.role)).size).toBe(11);
    expect(standardCode('receivables')).toBe('1200');
    expect(standardCode('goods_received_not_invoiced')).toBe('2100');
    expect(Object.fromEntries(STANDARD_CHART.map((a) => [a.role, a.type]))).toEqual({
      cash: 'asset', receivables: 'asset', inventory: 'asset', tax_receivable: 'asset',
      payables: 'liability', goods_received_not_invoiced: 'liability', tax_payable: 'liability', equity: 'equity',
      revenue: 'revenue', cost_of_goods: 'expense', expenses: 'expense',
    });
  });

  it('lets a standard account take a new name only: not another code or type, and never be deleted', () => {
    const cash = LedgerAccount.standard(TENANT, STANDARD_CHART[0]);
    expect(cash.snapshot).toMatchObject({ code: '1000', name: 'Cash', type: 'asset', system: true, version: 1 });
    expect(() => cash.change({ code: '1001' })).toThrow(ConflictError);
    expect(() => cash.change({ type: 'liability' })).toThrow(ConflictError);
    expect(() => cash.assertDeletable()).toThrow(ConflictError);
    expect(cash.version).toBe(1);
    expect(cash.change({ code: '1000', type: 'asset', name: 'Cash at bank' }).changed).toBe(true);
    expect(cash.snapshot).toMatchObject({ code: '1000', name: 'Cash at bank', type: 'asset', version: 2 });
  });

  it("lets the tenant's own account change anything and be deleted", () => {
    const rent = LedgerAccount.create(TENANT, { code: '6100', name: 'Rent', type: 'expense' });
    expect(rent.snapshot.system).toBe(false);
    expect(rent.change({ code: '6110', type: 'asset' })).toEqual({ changed: true, codeChanged: true });
    expect(() => rent.assertDeletable()).not.toThrow();
    expect(ledgerCodeKey('AB-1')).toBe(ledgerCodeKey('ab-1'));
    expect(new LedgerCodeTakenError('6100', 'lac_01M8C3E5G7J9K1M3P5R7T9V1X3').extensions).toEqual({ existing_ledger_account_id: 'lac_01M8C3E5G7J9K1M3P5R7T9V1X3' });
  });
});
