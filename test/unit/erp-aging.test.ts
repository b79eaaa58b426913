import { agingBucket, type AgingDocument, agingReport, daysBetween, outstanding } from '../../src/modules/erp/domain/aging';

/** One line of `net` minor units at 19 % (tax on net), quantity 1. */
const line = (net: number, taxRate = 19000, taxInclusive = false) => ({ quantity: 1000, unitAmount: net, taxRate, taxInclusive });
const doc = (partyId: string, partyName: string, dueDate: string, lines: AgingDocument['lines'], paid = 0n): AgingDocument => ({ partyId, partyName, dueDate, lines, paid });

describe('the aged reports: buckets by the days past the due date', () => {
  it('counts whole days between two calendar days, across months and leap days', () => {
    expect(daysBetween('2026-12-01', '2026-12-01')).toBe(0);
    expect(daysBetween('2026-12-01', '2026-11-30')).toBe(-1);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
  });

  it('is current while not yet due; the due day itself is 0 days past due; then 30, 60, 90 are the bounds', () => {
    const asOf = '2026-12-31';
    expect(agingBucket('2027-01-01', asOf)).toBe('current');
    expect(agingBucket('2026-12-31', asOf)).toBe('days_0_30');
    expect(agingBucket('2026-12-01', asOf)).toBe('days_0_30'); // 30 days
    expect(agingBucket('2026-11-30', asOf)).toBe('days_31_60'); // 31
    expect(agingBucket('2026-11-01', asOf)).toBe('days_31_60'); // 60
    expect(agingBucket('2026-10-31', asOf)).toBe('days_61_90'); // 61
    expect(agingBucket('2026-10-02', asOf)).toBe('days_61_90'); // 90
    expect(agingBucket('2026-10-01', asOf)).toBe('days_over_90'); // 91
    expect(agingBucket('2020-01-01', asOf)).toBe('days_over_90');
  });

  it("takes a document's total from its lines (tax half-even per line) less what was paid", () => {
    // 10.05 at 10 %: 100.5 cents of tax, rounded to even: 100; twice, per line.
    expect(outstanding({ lines: [line(1005, 10000), line(1005, 10000)], paid: 0n })).toBe(2210n);
    // Tax-inclusive: the gross is the price.
    expect(outstanding({ lines: [line(11900, 19000, true)], paid: 900n })).toBe(11000n);
  });

  it('sums each party by bucket, by name then id, leaves out what is settled, and totals the buckets', () => {
    const asOf = '2026-12-31';
    const report = agingReport(
      [
        doc('cus_b', 'Zeta', '2027-01-10', [line(10000)]), // 119.00 current
        doc('cus_b', 'Zeta', '2026-12-15', [line(10000)], 11900n), // settled: left out
        doc('cus_a', 'Acme', '2026-11-15', [line(10000)], 1900n), // 100.00, 46 days
        doc('cus_a', 'Acme', '2026-09-01', [line(5000)]), // 59.50, 121 days
        doc('cus_c', 'Acme', '2026-12-31', [line(100)]), // 1.19, due today; same name, later id
        doc('cus_d', 'Omega', '2026-12-01', [line(100)], 119n), // settled: no row at all
      ],
      asOf,
    );
    const z = { current: 0n, days_0_30: 0n, days_31_60: 0n, days_61_90: 0n, days_over_90: 0n };
    expect(report.parties).toEqual([
      { partyId: 'cus_a', name: 'Acme', ...z, days_31_60: 10000n, days_over_90: 5950n, total: 15950n },
      { partyId: 'cus_c', name: 'Acme', ...z, days_0_30: 119n, total: 119n },
      { partyId: 'cus_b', name: 'Zeta', ...z, current: 11900n, total: 11900n },
    ]);
    expect(report.totals).toEqual({ current: 11900n, days_0_30: 119n, days_31_60: 10000n, days_61_90: 0n, days_over_90: 5950n, total: 27969n });
    expect(agingReport([], asOf)).toEqual({ parties: [], totals: { ...z, total: 0n } });
  });
});
