import fc from 'fast-check';
import { InvalidInputError, NotSupportedError } from '../../src/platform/errors';
import { checkEntry, documentNumber, EntryReversedError, isCalendarDate, JournalEntry, journalEntryDocument, manualLines, type NewEntry, periodOf } from '../../src/modules/erp/domain/journal-entry';
import { checkPeriod } from '../../src/modules/erp/domain/period';

const TENANT = 'ten_01M88YXTM0Q4R7S9T2V5W8X1Y3';
const ACCOUNTS = ['lac_A', 'lac_B', 'lac_C', 'lac_D'];
const entry = (lines: NewEntry['lines'], date = '2026-12-09'): NewEntry => ({ date, memo: 'Test', source: null, lines });
const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError || err instanceof NotSupportedError) return err.fields.map((f) => f.pointer);
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('ERP journal entry (domain)', () => {
  it('posts a balanced entry of two lines or more, with its event', () => {
    const e = JournalEntry.post(TENANT, entry([{ ledgerAccountId: 'lac_A', debit: 150n, credit: 0n }, { ledgerAccountId: 'lac_B', debit: 0n, credit: 100n }, { ledgerAccountId: 'lac_C', debit: 0n, credit: 50n, memo: 'part' }]), 'JE-2026-000001');
    expect(e.snapshot).toMatchObject({ number: 'JE-2026-000001', status: 'posted', totalDebit: 150n, totalCredit: 150n, currency: 'EUR', reversesEntryId: null, reversedByEntryId: null });
    expect(e.snapshot.lines[2]).toEqual({ ledgerAccountId: 'lac_C', debit: 0n, credit: 50n, memo: 'part' });
    const events = e.pullEvents();
    expect(events.map((x) => [x.type, x.aggregateType, x.aggregateId])).toEqual([['erp.journal_entry.posted', 'journal_entry', e.id]]);
    expect(events[0].payload).toEqual(journalEntryDocument(e.snapshot));
    expect(e.pullEvents()).toEqual([]);
  });

  it('refuses an empty, one-line, two-sided, zero, negative or unbalanced entry (400 naming the field)', () => {
    expect(fieldsOf(() => checkEntry(entry([])))).toEqual(['/lines']);
    expect(fieldsOf(() => checkEntry(entry([{ ledgerAccountId: 'lac_A', debit: 5n, credit: 0n }])))).toEqual(['/lines']);
    expect(fieldsOf(() => checkEntry(entry([{ ledgerAccountId: 'lac_A', debit: 5n, credit: 5n }, { ledgerAccountId: 'lac_B', debit: 0n, credit: 0n }])))).toEqual(['/lines/0', '/lines/1']);
    expect(fieldsOf(() => checkEntry(entry([{ ledgerAccountId: 'lac_A', debit: -5n, credit: 0n }, { ledgerAccountId: 'lac_B', debit: 0n, credit: -5n }])))).toEqual(['/lines/0', '/lines/1']);
    let detail = '';
    try {
      checkEntry(entry([{ ledgerAccountId: 'lac_A', debit: 100n, credit: 0n }, { ledgerAccountId: 'lac_B', debit: 0n, credit: 99n }]));
    } catch (err) {
      detail = (err as InvalidInputError).fields[0].detail;
      expect((err as InvalidInputError).fields[0].pointer).toBe('/lines');
    }
    expect(detail).toMatch(/debits total 100, credits total 99/);
    expect(fieldsOf(() => checkEntry(entry([{ ledgerAccountId: 'lac_A', debit: 1n, credit: 0n }, { ledgerAccountId: 'lac_B', debit: 0n, credit: 1n }], '2026-02-30')))).toEqual(['/date']);
    // What a document posts is held to what the contract answers: memo, line memo and source.
    const ok = [{ ledgerAccountId: 'lac_A', debit: 1n, credit: 0n }, { ledgerAccountId: 'lac_B', debit: 0n, credit: 1n, memo: ' padded' }];
    expect(fieldsOf(() => checkEntry({ date: '2026-12-01', memo: 'x'.repeat(501), source: { type: 'Sales Order', id: 'so 1' }, lines: ok }))).toEqual(['/memo', '/source', '/lines/1/memo']);
    expect(checkEntry({ date: '2026-12-01', memo: 'x'.repeat(500), source: { type: 'sales_order', id: 'so_01M9.x-1' }, lines: ok.slice(0, 1).concat([{ ledgerAccountId: 'lac_B', debit: 0n, credit: 1n }]) })).toEqual({ totalDebit: 1n, totalCredit: 1n });
  });

  it('reverses once, swapping the sides, dated as asked (never silently the original date)', () => {
    const e = JournalEntry.post(TENANT, entry([{ ledgerAccountId: 'lac_A', debit: 70n, credit: 0n, memo: 'x' }, { ledgerAccountId: 'lac_B', debit: 0n, credit: 70n }], '2026-11-30'), 'JE-2026-000001');
    const plan = e.reversal('2026-12-10');
    expect(plan).toEqual({ date: '2026-12-10', memo: 'Reversal of JE-2026-000001', source: null, lines: [{ ledgerAccountId: 'lac_A', debit: 0n, credit: 70n, memo: 'x' }, { ledgerAccountId: 'lac_B', debit: 70n, credit: 0n }] });
    const r = JournalEntry.post(TENANT, plan, 'JE-2026-000002', new Date(), e.id);
    e.reversedBy(r);
    expect(e.snapshot).toMatchObject({ status: 'reversed', reversedByEntryId: r.id });
    expect(r.snapshot.reversesEntryId).toBe(e.id);
    expect(() => e.reversal('2026-12-11')).toThrow(EntryReversedError);
    expect(() => e.reversedBy(r)).toThrow(EntryReversedError);
  });

  it('reads manual lines: exactly one side, above zero, in the base currency (else 400 / 422)', () => {
    expect(manualLines([{ ledgerAccountId: 'lac_A', debit: { amount: 5, currency: 'EUR' } }, { ledgerAccountId: 'lac_B', credit: { amount: 5, currency: 'EUR' }, memo: 'm' }])).toEqual([
      { ledgerAccountId: 'lac_A', debit: 5n, credit: 0n },
      { ledgerAccountId: 'lac_B', debit: 0n, credit: 5n, memo: 'm' },
    ]);
    expect(fieldsOf(() => manualLines([{ ledgerAccountId: 'lac_A' }, { ledgerAccountId: 'lac_B', debit: { amount: 1, currency: 'EUR' }, credit: { amount: 1, currency: 'EUR' } }]))).toEqual(['/lines/0', '/lines/1']);
    expect(fieldsOf(() => manualLines([{ ledgerAccountId: 'lac_A', debit: { amount: 0, currency: 'EUR' } }]))).toEqual(['/lines/0/debit/amount']);
    expect(() => manualLines([{ ledgerAccountId: 'lac_A', credit: { amount: 3, currency: 'USD' } }])).toThrow(NotSupportedError);
    expect(fieldsOf(() => manualLines([{ ledgerAccountId: 'lac_A', credit: { amount: 3, currency: 'USD' } }]))).toEqual(['/lines/0/credit/currency']);
  });

  it('numbers, dates and periods', () => {
    expect(documentNumber('JE', 2026, 42)).toBe('JE-2026-000042');
    expect(documentNumber('JE', 2026, 1234567)).toBe('JE-2026-1234567');
    expect(periodOf('2026-12-31')).toBe('2026-12');
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
    expect(checkPeriod('2026-12')).toBe('2026-12');
    expect(() => checkPeriod('2026-13')).toThrow(InvalidInputError);
  });

  /** A posting: lines as (account index, signed amount), the last line balancing the rest. */
  const posting = fc
    .array(fc.tuple(fc.integer({ min: 0, max: ACCOUNTS.length - 1 }), fc.bigInt({ min: -1_000_000n, max: 1_000_000n }).filter((n) => n !== 0n)), { minLength: 1, maxLength: 6 })
    .chain((lines) => {
      const sum = lines.reduce((s, [, a]) => s + a, 0n);
      return fc.integer({ min: 0, max: ACCOUNTS.length - 1 }).map((last) => (sum === 0n ? lines : [...lines, [last, -sum] as [number, bigint]]));
    })
    .filter((lines) => lines.length >= 2);
  const step = fc.oneof(posting.map((lines) => ({ kind: 'post' as const, lines })), fc.nat().map((pick) => ({ kind: 'reverse' as const, pick })));

  it('any sequence of postings and reversals keeps each balance the sum of its lines, and the whole at zero', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const journal: JournalEntry[] = [];
        const balances = new Map<string, bigint>();
        let n = 0;
        const book = (e: JournalEntry) => {
          journal.push(e);
          for (const l of e.snapshot.lines) balances.set(l.ledgerAccountId, (balances.get(l.ledgerAccountId) ?? 0n) + l.debit - l.credit);
        };
        for (const s of steps) {
          if (s.kind === 'post') {
            const lines = s.lines.map(([a, amount]) => ({ ledgerAccountId: ACCOUNTS[a], debit: amount > 0n ? amount : 0n, credit: amount < 0n ? -amount : 0n }));
            book(JournalEntry.post(TENANT, entry(lines), documentNumber('JE', 2026, ++n)));
          } else if (journal.length) {
            const original = journal[s.pick % journal.length];
            if (original.snapshot.reversedByEntryId) {
              expect(() => original.reversal('2026-12-31')).toThrow(EntryReversedError);
              continue;
            }
            const r = JournalEntry.post(TENANT, original.reversal('2026-12-31'), documentNumber('JE', 2026, ++n), new Date(), original.id);
            original.reversedBy(r);
            book(r);
          }
        }
        // Each account's balance is the sum of its lines over the whole journal, and all sum to zero.
        for (const account of ACCOUNTS) {
          const fromLines = journal.flatMap((e) => e.snapshot.lines).filter((l) => l.ledgerAccountId === account).reduce((s, l) => s + l.debit - l.credit, 0n);
          expect(balances.get(account) ?? 0n).toBe(fromLines);
        }
        expect([...balances.values()].reduce((s, b) => s + b, 0n)).toBe(0n);
        for (const e of journal) expect(e.snapshot.totalDebit).toBe(e.snapshot.totalCredit);
        // A reversed entry and its reversal cancel out.
        for (const e of journal.filter((x) => x.snapshot.reversedByEntryId)) {
          const r = journal.find((x) => x.id === e.snapshot.reversedByEntryId)!;
          expect(r.snapshot.reversesEntryId).toBe(e.id);
          const net = new Map<string, bigint>();
          for (const l of [...e.snapshot.lines, ...r.snapshot.lines]) net.set(l.ledgerAccountId, (net.get(l.ledgerAccountId) ?? 0n) + l.debit - l.credit);
          expect([...net.values()].every((v) => v === 0n)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any posting whose lines do not balance', () => {
    fc.assert(
      fc.property(posting, fc.bigInt({ min: 1n, max: 1000n }), (lines, skew) => {
        const ls = lines.map(([a, amount]) => ({ ledgerAccountId: ACCOUNTS[a], debit: amount > 0n ? amount : 0n, credit: amount < 0n ? -amount : 0n }));
        ls[0] = ls[0].debit > 0n ? { ...ls[0], debit: ls[0].debit + skew } : { ...ls[0], credit: ls[0].credit + skew };
        expect(() => JournalEntry.post(TENANT, entry(ls), 'JE-2026-000001')).toThrow(InvalidInputError);
      }),
    );
  });
});
