/**
 * GTIN barcodes (GS1 General Specifications §7.9): GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13)
 * and GTIN-14, digits only, the last digit a check digit over the others.
 */
export const GTIN_LENGTHS: readonly number[] = [8, 12, 13, 14];

/**
 * The check digit of a GTIN's other digits: from the right, digits are weighted 3, 1, 3, 1, …;
 * the check digit takes the weighted sum up to the next multiple of ten.
 */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** Why `code` is not a GTIN, or undefined when it is one. */
export function gtinProblem(code: string): string | undefined {
  if (!/^[0-9]+$/.test(code) || !GTIN_LENGTHS.includes(code.length)) return 'is not a GTIN: 8, 12, 13 or 14 digits';
  const expected = gtinCheckDigit(code.slice(0, -1));
  if (code.charCodeAt(code.length - 1) - 48 !== expected) return `has a wrong check digit: a GTIN-${code.length} with these first ${code.length - 1} digits ends in ${expected}, not ${code[code.length - 1]}`;
  return undefined;
}

export const isGtin = (code: string): boolean => gtinProblem(code) === undefined;
