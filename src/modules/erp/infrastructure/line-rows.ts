/**
 * The columns every priced line table has (invoice, bill and credit note lines), read back from
 * either driver: ids as text, bigint and integer columns as numbers, booleans from 0/1 or true/false.
 */
export function pricedLineOf(r: Record<string, unknown>) {
  return {
    id: r.id as string,
    description: r.description as string,
    itemId: (r.item_id as string | null) ?? null,
    quantity: Number(r.quantity),
    unitAmount: Number(r.unit_amount),
    taxRateId: r.tax_rate_id as string,
    taxRate: Number(r.tax_rate),
    taxInclusive: r.tax_inclusive === true || r.tax_inclusive === 1,
  };
}
