import { gtinCheckDigit, gtinProblem, isGtin } from '../../src/modules/wms/domain/gtin';

describe('GTIN check digits', () => {
  it.each([
    ['GTIN-8', '96385074'],
    ['GTIN-12 (UPC-A)', '036000291452'],
    ['GTIN-13 (EAN-13)', '4006381333931'],
    ['GTIN-13 with check digit 0', '5901234123457'],
    ['GTIN-14', '10614141000415'],
    ['GTIN-14 of a GTIN-13 (indicator 0)', '04006381333931'],
    ['all zeros', '00000000'],
  ])('accepts a valid %s', (_kind, code) => {
    expect(gtinProblem(code)).toBeUndefined();
    expect(isGtin(code)).toBe(true);
  });

  it('computes the check digit from the right, weights 3, 1, 3, …', () => {
    expect(gtinCheckDigit('400638133393')).toBe(1);
    expect(gtinCheckDigit('03600029145')).toBe(2);
    expect(gtinCheckDigit('9638507')).toBe(4);
    expect(gtinCheckDigit('1061414100041')).toBe(5);
    // A sum that is already a multiple of ten takes 0, not 10.
    expect(gtinCheckDigit('0000000')).toBe(0);
    expect(gtinCheckDigit('590123412345')).toBe(7);
  });

  it('refuses a wrong check digit, saying which one it takes', () => {
    expect(gtinProblem('4006381333932')).toBe('has a wrong check digit: a GTIN-13 with these first 12 digits ends in 1, not 2');
    expect(isGtin('036000291453')).toBe(false);
    expect(isGtin('96385075')).toBe(false);
    expect(isGtin('10614141000416')).toBe(false);
  });

  it('catches a single changed digit and a swap of neighbours that differ by other than 5', () => {
    const valid = '4006381333931';
    for (let i = 0; i < valid.length - 1; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        expect(isGtin(valid.slice(0, i) + d + valid.slice(i + 1))).toBe(false);
      }
    }
    // 4006… with its 3rd and 4th digits swapped.
    expect(isGtin('4060381333931')).toBe(false);
  });

  it('refuses other lengths and anything but digits', () => {
    for (const code of ['1234567', '123456789', '12345678901', '123456789012345', '4006381 33393', '400638133393X', '', '４００６３８１３３３９３１']) {
      expect(gtinProblem(code)).toBe('is not a GTIN: 8, 12, 13 or 14 digits');
    }
  });
});
