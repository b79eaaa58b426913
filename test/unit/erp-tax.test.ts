import { formatRate, lineTax, MAX_RATE, parseRate } from '../../src/modules/erp/domain/tax';
import { TaxRate, isTaxRateId, TaxRateNameTakenError, taxRateNameKey } from '../../src/modules/erp/domain/tax-rate';

const TENANT = 'ten_01M88YXTM0Q4R7S9T2V5W8X1Y3';
const at = (iso: string) => new Date(iso);
const pct = (text: string) => parseRate(text)!;

describe('tax rates as thousandths of a percent', () => {
  it('parses up to three decimals exactly, and formats with three', () => {
    expect(parseRate('19')).toBe(19000);
    expect(parseRate('19.000')).toBe(19000);
    expect(parseRate('7.5')).toBe(7500);
    expect(parseRate('0.001')).toBe(1);
    expect(parseRate('0')).toBe(0);
    expect(parseRate('999.999')).toBe(MAX_RATE);
    expect(formatRate(19000)).toBe('19.000');
    expect(formatRate(7500)).toBe('7.500');
    expect(formatRate(1)).toBe('0.001');
    expect(formatRate(0)).toBe('0.000');
    expect(formatRate(MAX_RATE)).toBe('999.999');
  });

  it('refuses what is not a rate: four decimals, 1000 % and more, signs, leading zeros, floats', () => {
    for (const bad of ['19.0001', '1000', '-1', '+5', '019', '1e2', '', '.5', '5.', ' 5']) expect(parseRate(bad)).toBeNull();
    expect(() => formatRate(1_000_000)).toThrow(RangeError);
    expect(() => formatRate(1.5)).toThrow(RangeError);
  });
});

describe('lineTax: per line, rounded half to even to minor units', () => {
  it('on a net amount: tax = net × rate ÷ 100, gross = net + tax', () => {
    expect(lineTax(10000, pct('19'), false)).toEqual({ net: 10000, tax: 1900, gross: 11900 });
    expect(lineTax(1999, pct('7'), false)).toEqual({ net: 1999, tax: 140, gross: 2139 }); // 139.93
    expect(lineTax(0, pct('19'), false)).toEqual({ net: 0, tax: 0, gross: 0 });
    expect(lineTax(12345, 0, false)).toEqual({ net: 12345, tax: 0, gross: 12345 });
  });

  it('rounds an exact half to the even neighbour, never always up', () => {
    // 1005 × 10 % = 100.5 → 100 (even); 1015 × 10 % = 101.5 → 102 (even).
    expect(lineTax(1005, pct('10'), false).tax).toBe(100);
    expect(lineTax(1015, pct('10'), false).tax).toBe(102);
    // 50 × 5 % = 2.5 → 2; 70 × 5 % = 3.5 → 4.
    expect(lineTax(50, pct('5'), false).tax).toBe(2);
    expect(lineTax(70, pct('5'), false).tax).toBe(4);
    // 1 × 50 % = 0.5 → 0; 3 × 50 % = 1.5 → 2.
    expect(lineTax(1, pct('50'), false).tax).toBe(0);
    expect(lineTax(3, pct('50'), false).tax).toBe(2);
    // Just off the half rounds to the nearest: 1006 × 10 % = 100.6 → 101, 1004 × 10 % = 100.4 → 100.
    expect(lineTax(1006, pct('10'), false).tax).toBe(101);
    expect(lineTax(1004, pct('10'), false).tax).toBe(100);
  });

  it('uses the rate to the thousandth of a percent', () => {
    // 100000 × 7.125 % = 7125 exactly; 1000 × 0.05 % = 0.5 → 0; 3000 × 0.05 % = 1.5 → 2.
    expect(lineTax(100000, pct('7.125'), false).tax).toBe(7125);
    expect(lineTax(1000, pct('0.05'), false).tax).toBe(0);
    expect(lineTax(3000, pct('0.05'), false).tax).toBe(2);
  });

  it('on a gross amount: tax = gross × rate ÷ (100 + rate), net = gross − tax, so net + tax is the price', () => {
    expect(lineTax(11900, pct('19'), true)).toEqual({ net: 10000, tax: 1900, gross: 11900 });
    // 1000 × 19 / 119 = 159.66… → 160.
    expect(lineTax(1000, pct('19'), true)).toEqual({ net: 840, tax: 160, gross: 1000 });
    // 105 × 5 / 105 = 5 exactly; 21 × 5 / 105 = 1 exactly.
    expect(lineTax(105, pct('5'), true)).toEqual({ net: 100, tax: 5, gross: 105 });
    // Halves inclusive: 315 × 5 / 105 = 15 (exact); 1 × 100 / 200 = 0.5 → 0; 3 × 100 / 200 = 1.5 → 2.
    expect(lineTax(1, pct('100'), true)).toEqual({ net: 1, tax: 0, gross: 1 });
    expect(lineTax(3, pct('100'), true)).toEqual({ net: 1, tax: 2, gross: 3 });
    expect(lineTax(5, pct('100'), true)).toEqual({ net: 3, tax: 2, gross: 5 }); // 2.5 → 2
    for (let gross = 0; gross < 2000; gross += 7) {
      const t = lineTax(gross, pct('19'), true);
      expect(t.net + t.tax).toBe(gross);
    }
  });

  it('stays exact where floats would not (0.1 + 0.2), up to large amounts', () => {
    expect(lineTax(999_999_999_999, pct('19'), false)).toEqual({ net: 999_999_999_999, tax: 190_000_000_000, gross: 1_189_999_999_999 });
    // 0.57 × 100 is 56.99999… in floating point; here 5700 × 1 % = 57 exactly.
    expect(lineTax(5700, pct('1'), false).tax).toBe(57);
  });

  it('refuses negative, fractional or unsafe amounts and rates outside 0–999.999 %', () => {
    expect(() => lineTax(-1, 19000, false)).toThrow(RangeError);
    expect(() => lineTax(1.5, 19000, false)).toThrow(RangeError);
    expect(() => lineTax(Number.MAX_SAFE_INTEGER + 1, 19000, false)).toThrow(RangeError);
    expect(() => lineTax(100, -1, false)).toThrow(RangeError);
    expect(() => lineTax(100, 1_000_000, true)).toThrow(RangeError);
  });
});

describe('TaxRate', () => {
  it('is created with a txr_ id, exclusive and active by default', () => {
    const now = at('2026-12-08T09:00:00.000Z');
    const rate = TaxRate.create(TENANT, { name: 'Standard 19 %', rate: 19000 }, now);
    expect(isTaxRateId(rate.id)).toBe(true);
    expect(rate.snapshot).toEqual({ id: rate.id, tenantId: TENANT, name: 'Standard 19 %', rate: 19000, inclusive: false, isActive: true, version: 1, createdAt: now, updatedAt: now });
  });

  it('changes by merge patch, bumping the version only when something changed', () => {
    const rate = TaxRate.create(TENANT, { name: 'Reduced', rate: 7000 }, at('2026-12-08T09:00:00.000Z'));
    expect(rate.change({ name: 'Reduced', rate: 7000 }).changed).toBe(false);
    expect(rate.version).toBe(1);
    const later = at('2026-12-08T10:00:00.000Z');
    expect(rate.change({ isActive: false, inclusive: true }, later).changed).toBe(true);
    expect(rate.snapshot).toMatchObject({ name: 'Reduced', rate: 7000, inclusive: true, isActive: false, version: 2, updatedAt: later });
  });

  it('compares names ignoring case; the 409 names the tax rate that has it', () => {
    expect(taxRateNameKey('VAT 19 %')).toBe(taxRateNameKey('vat 19 %'));
    const err = new TaxRateNameTakenError('VAT', 'txr_01M8C0A2C4E6G8J0K2M4P6R8T0');
    expect(err.extensions).toEqual({ existing_tax_rate_id: 'txr_01M8C0A2C4E6G8J0K2M4P6R8T0' });
    expect(new TaxRateNameTakenError('VAT').extensions).toEqual({});
  });
});
