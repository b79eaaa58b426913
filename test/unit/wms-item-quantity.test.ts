import { formatQuantity, MAX_THOUSANDTHS, parseQuantity } from '../../src/modules/wms/domain/quantity';
import { InvalidInputError } from '../../src/platform/errors';

const refused = (text: string, options?: Parameters<typeof parseQuantity>[2]) => {
  try {
    parseQuantity(text, '/quantity', options);
  } catch (err) {
    if (err instanceof InvalidInputError) return err.fields.map((f) => f.pointer);
    throw err;
  }
  return [];
};

describe('quantities (an item reorder point, a move)', () => {
  it('parse decimal strings into integer thousandths, exactly', () => {
    expect(parseQuantity('12', '/q')).toBe(12_000);
    expect(parseQuantity('12.5', '/q')).toBe(12_500);
    expect(parseQuantity('0.125', '/q')).toBe(125);
    expect(parseQuantity('0.1', '/q', { unit: 'kg' })).toBe(100);
    expect(parseQuantity('0', '/q', { allowZero: true })).toBe(0);
    expect(parseQuantity('999999999999.999', '/q')).toBe(MAX_THOUSANDTHS);
    expect(Number.isSafeInteger(MAX_THOUSANDTHS)).toBe(true);
  });

  it('refuse floats in disguise, signs, more than 3 decimals, too many digits and leading zeros, naming the field', () => {
    for (const text of ['1.0001', '-1', '+1', '1e3', '.5', '5.', '01', '1,5', ' 1', '1000000000000', 'NaN', '']) {
      expect(refused(text)).toEqual(['/quantity']);
    }
  });

  it('refuse zero unless allowed, and fractions of an item counted in each', () => {
    expect(refused('0')).toEqual(['/quantity']);
    expect(refused('0.000')).toEqual(['/quantity']);
    expect(refused('2.5', { unit: 'ea' })).toEqual(['/quantity']);
    expect(refused('2.000', { unit: 'ea' })).toEqual([]);
    expect(refused('2.5', { unit: 'm' })).toEqual([]);
  });

  it('format back without trailing zeros, round-tripping', () => {
    expect(formatQuantity(12_500)).toBe('12.5');
    expect(formatQuantity(12_000)).toBe('12');
    expect(formatQuantity(125)).toBe('0.125');
    expect(formatQuantity(0)).toBe('0');
    expect(formatQuantity(-3_050)).toBe('-3.05');
    for (const text of ['1', '0.001', '10.01', '999999999999.999', '7.3']) expect(formatQuantity(parseQuantity(text, '/q'))).toBe(text);
  });
});
