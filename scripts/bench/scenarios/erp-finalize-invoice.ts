/**
 * `POST /v1/erp/invoices/{id}/finalize` with `If-Match: "1"` and no body (the contract's body is
 * optional: the issue date is then today, UTC): a draft invoice of 3 lines (1 unit each, at 19 %
 * exclusive tax) finalized — the next gapless number of the INV series, the due date from the
 * customer's payment terms, the entry posted (Dr receivables 1200 / Cr revenue 4000 / Cr tax
 * payable 2200) with its own JE number, in a period checked not to be locked, and two outbox
 * events, in one unit of work. Every request finalizes another draft: the setup makes
 * BENCH_ERP_DRAFTS of them (default 100,000: a finalize is quicker than a confirm) — the first
 * through the API, the others as copies of its shape in SQL (BenchContext.sql) — and the
 * requests take them in turn, both servers from the one list. A run that finalizes more than
 * there are answers 409 and is reported invalid: raise it. The setup also reads the ledger
 * accounts once, which makes the tenant's standard chart before the servers start.
 *
 * The app (src/modules/erp/application/documents.ts finalize, application/journal.ts post, the
 * document, sequence, ledger-account, period and journal-entry repositories) runs, in one
 * transaction (statements captured from the app with SQL logging, on both databases): the
 * invoice read FOR UPDATE and its lines; the customer; the INV number (an upsert RETURNING the
 * sequence's next value, which holds the sequence's row to the end); the three accounts checked
 * as the tenant's in one read (FOR SHARE: their ids by code were read once and are remembered,
 * by the app's journal and here alike); the period made if missing and read FOR SHARE; the JE
 * number; the entry's INSERT and its three lines in one INSERT; the invoice's UPDATE guarded by
 * its version (its lines unchanged: not written); the two events (`erp.journal_entry.posted`,
 * `erp.invoice.finalized`) in one outbox INSERT: 12 statements between BEGIN and COMMIT. The baseline runs the same statements in the same order
 * (SQLite: without the locking clauses, as the app) and answers the same invoice JSON. Its
 * outbox rows are never due (NEVER_DUE, see transfer.ts).
 */
import { monotonicFactory } from 'ulid';
import type { Scenario } from '../scenario';
import { divideHalfEven, iso, made, money, Refused } from './erp-baseline';
import { formatQuantity, NEVER_DUE, timeParam } from './items';

const INVOICES = '/v1/erp/invoices';
const PRICES = [1000, 2490, 3999];
const draftCount = () => Number(process.env.BENCH_ERP_DRAFTS || 100_000);
/** The standard chart's codes of an invoice's entry (src/modules/erp/domain/ledger-account.ts): receivables, revenue, tax payable. */
const ACCOUNT_CODES = ['1200', '4000', '2200'];

interface Data {
  drafts: string[];
}

/** The next draft to finalize, over every server, round and preflight of the run (fresh() runs in the parent only). */
let next = 0;
const path = (data: Data) => `${INVOICES}/${data.drafts[next++ % data.drafts.length]}/finalize`;

interface InvoiceRow {
  id: string;
  tenant_id: string;
  number: string | null;
  customer_id: string;
  sales_order_id: string | null;
  status: string;
  issue_date: string | Date | null;
  due_date: string | Date | null;
  currency: string;
  amount_paid: number | string;
  amount_credited: number | string;
  journal_entry_id: string | null;
  version: number | string;
  created_at: Date | string;
  updated_at: Date | string;
}

interface LineRow {
  id: string;
  invoice_id: string;
  position: number | string;
  description: string;
  item_id: string | null;
  quantity: number | string;
  unit_amount: number | string;
  tax_rate_id: string;
  tax_rate: number | string;
  tax_inclusive: boolean | number;
  order_line_id: string | null;
}

/** YYYY-MM-DD `days` after `day` (src/modules/erp/domain/document.ts addDays). */
function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const pad6 = (n: number) => String(n).padStart(6, '0');

/** The contract's Invoice, as the app maps an invoice just finalized (exclusive tax only: the bench's rate; nothing paid or credited). */
function invoiceJson(o: InvoiceRow, lines: LineRow[], f: { number: string; issueDate: string; dueDate: string; journalEntryId: string; updatedAt: Date }) {
  const currency = o.currency.trim();
  let net = 0n;
  let tax = 0n;
  const docLines = lines.map((l) => {
    if (l.tax_inclusive === true || l.tax_inclusive === 1) throw new Error('the bench baseline computes exclusive tax only');
    const lineNet = divideHalfEven(BigInt(l.quantity) * BigInt(l.unit_amount), 1000n);
    const lineTax = divideHalfEven(lineNet * BigInt(l.tax_rate), 100_000n);
    net += lineNet;
    tax += lineTax;
    return {
      id: l.id,
      description: l.description,
      item_id: l.item_id,
      quantity: formatQuantity(Number(l.quantity)),
      unit_price: money(Number(l.unit_amount), currency),
      tax_rate_id: l.tax_rate_id,
      order_line_id: l.order_line_id,
      net: money(lineNet, currency),
      tax: money(lineTax, currency),
      total: money(lineNet + lineTax, currency),
    };
  });
  const paid = BigInt(o.amount_paid);
  const credited = BigInt(o.amount_credited);
  return {
    net,
    tax,
    doc: {
      id: o.id,
      number: f.number,
      customer_id: o.customer_id,
      sales_order_id: o.sales_order_id,
      status: 'open',
      issue_date: f.issueDate,
      due_date: f.dueDate,
      // Open, due on or after the issue date, which is today: not overdue.
      overdue: f.dueDate < f.issueDate,
      currency,
      lines: docLines,
      subtotal: money(net, currency),
      tax_total: money(tax, currency),
      total: money(net + tax, currency),
      amount_paid: money(paid, currency),
      amount_credited: money(credited, currency),
      amount_due: money(net + tax - paid - credited, currency),
      journal_entry_id: f.journalEntryId,
      available_actions: ['void', 'mark-uncollectible'],
      version: Number(o.version) + 1,
      created_at: iso(o.created_at),
      updated_at: f.updatedAt.toISOString(),
    },
  };
}

export const erpFinalizeInvoice: Scenario<Data> = {
  name: 'erp-finalize-invoice',
  label: 'finalize invoice',
  async setup(ctx) {
    const rate = await made(await ctx.api('POST', '/v1/erp/tax-rates', { name: 'Bench invoice VAT', rate: '19' }), 'tax rate');
    const account = await made(await ctx.api('POST', '/v1/crm/accounts', { name: 'Bench invoiced customer' }), 'CRM account');
    const customer = await made(await ctx.api('POST', '/v1/erp/customers', { account_id: account.id, tax_rate_id: rate.id }), 'customer');
    // The tenant's standard chart is made the first time it is used: here, not in the first finalize.
    const chart = await ctx.api('GET', '/v1/erp/ledger-accounts?limit=200');
    if (chart.status !== 200) throw new Error(`ledger accounts: ${chart.status} ${await chart.text()}`);
    const codes = new Set(((await chart.json()) as { data: { code: string }[] }).data.map((a) => a.code));
    if (ACCOUNT_CODES.some((c) => !codes.has(c))) throw new Error(`the standard chart lacks one of ${ACCOUNT_CODES.join(', ')}`);
    const first = await made(
      await ctx.api('POST', INVOICES, { customer_id: customer.id, lines: PRICES.map((amount, i) => ({ description: `Bench line ${i + 1}`, quantity: '1', unit_price: { amount, currency: 'EUR' } })) }),
      'draft invoice',
    );
    // The others: copies of the first's shape (its lines' positions, rate and amounts as stored), in batches of 500.
    const shape = (await ctx.sql('SELECT position, description, quantity, unit_amount, tax_rate_id, tax_rate, tax_inclusive FROM erp_invoice_lines WHERE tenant_id = :tenantId AND invoice_id = :id ORDER BY position', {
      tenantId: ctx.tenantId,
      id: first.id,
    })) as { position: number | string; description: string; quantity: number | string; unit_amount: number | string; tax_rate_id: string; tax_rate: number | string; tax_inclusive: boolean | number }[];
    if (shape.length !== 3) throw new Error(`the first draft has ${shape.length} lines, not 3`);
    const ulid = monotonicFactory();
    const drafts = [first.id as string];
    const total = draftCount();
    const now = new Date();
    for (let n = 1; n < total; n += 500) {
      const invoices: string[] = [];
      const lines: string[] = [];
      const params: Record<string, unknown> = { tenantId: ctx.tenantId, customer: customer.id, now, rate: shape[0].tax_rate_id, inclusive: shape[0].tax_inclusive === true || shape[0].tax_inclusive === 1 };
      shape.forEach((l, i) => (params[`description${i}`] = l.description));
      for (let k = n; k < Math.min(total, n + 500); k++) {
        const id = `inv_${ulid()}`;
        drafts.push(id);
        // Ids as literals (ULIDs: letters and digits only), numbers as literals, the rest as parameters.
        invoices.push(`('${id}', :tenantId, NULL, :customer, NULL, 'draft', NULL, NULL, 'EUR', 0, 0, NULL, 1, :now, :now)`);
        shape.forEach((l, i) => lines.push(`('invl_${ulid()}', :tenantId, '${id}', ${Number(l.position)}, :description${i}, NULL, ${Number(l.quantity)}, ${Number(l.unit_amount)}, :rate, ${Number(l.tax_rate)}, :inclusive, NULL)`));
      }
      await ctx.sql(
        `INSERT INTO erp_invoices (id, tenant_id, number, customer_id, sales_order_id, status, issue_date, due_date, currency, amount_paid, amount_credited, journal_entry_id, version, created_at, updated_at) VALUES ${invoices.join(', ')}`,
        params,
      );
      await ctx.sql(`INSERT INTO erp_invoice_lines (id, tenant_id, invoice_id, position, description, item_id, quantity, unit_amount, tax_rate_id, tax_rate, tax_inclusive, order_line_id) VALUES ${lines.join(', ')}`, params);
    }
    ctx.seeded(`${total} draft invoices of 3 lines`);
    return { drafts };
  },
  request: (data) => ({ path: path(data), method: 'POST', headers: { 'if-match': '"1"' }, status: 200 }),
  fresh(data) {
    return () => ({ path: path(data) });
  },
  check({ headers, body: invoice }) {
    if (headers.get('etag') !== '"2"') throw new Error(`ETag ${headers.get('etag')}, not "2"`);
    if (invoice.status !== 'open' || invoice.lines?.length !== 3) throw new Error('not an open invoice of 3 lines');
    if (!/^INV-\d{4}-\d{6}$/.test(invoice.number)) throw new Error(`number ${invoice.number}`);
    if (typeof invoice.journal_entry_id !== 'string') throw new Error('no journal entry');
    // Each server finalized another draft (other ids, number, entry and times): the rest must agree.
    return {
      ...invoice,
      id: '(id)',
      number: '(number)',
      journal_entry_id: '(entry)',
      created_at: '(time)',
      updated_at: '(time)',
      lines: invoice.lines.map((l: Record<string, unknown>) => ({ ...l, id: '(id)' })),
    };
  },
  raw({ db, tenantId, send }) {
    const ulid = monotonicFactory();
    const postgres = db.kind === 'postgres';
    const invoiceRead = db.statement<InvoiceRow>(
      'bench_erp_inv_read',
      `SELECT id, tenant_id, number, customer_id, sales_order_id, status, issue_date, due_date, currency, amount_paid, amount_credited, journal_entry_id, version, created_at, updated_at FROM erp_invoices WHERE tenant_id = $1 AND id = $2${postgres ? ' FOR UPDATE' : ''}`,
    );
    const linesRead = db.statement<LineRow>(
      'bench_erp_inv_lines',
      'SELECT id, invoice_id, position, description, item_id, quantity, unit_amount, tax_rate_id, tax_rate, tax_inclusive, order_line_id FROM erp_invoice_lines WHERE tenant_id = $1 AND invoice_id IN ($2) ORDER BY invoice_id, position',
    );
    const customerRead = db.statement<{ id: string; payment_terms_days: number | string }>(
      'bench_erp_customer_read',
      'SELECT id, tenant_id, account_id, name, name_key, billing_address, payment_terms_days, tax_rate_id, currency, version, created_at, updated_at FROM erp_customers WHERE tenant_id = $1 AND id = $2',
    );
    const sequenceNext = db.statement<{ last: number | string }>(
      'bench_erp_sequence_next',
      'INSERT INTO erp_sequences (tenant_id, series, year, last) VALUES ($1, $2, $3, 1) ON CONFLICT (tenant_id, series, year) DO UPDATE SET last = erp_sequences.last + 1 RETURNING last',
    );
    let standardAccounts: string[] | undefined;
    const accountByCode = db.statement<{ id: string }>('bench_erp_account_by_code', 'SELECT id FROM erp_ledger_accounts WHERE tenant_id = $1 AND code_key = $2');
    const accountsKnown = db.statement<{ id: string }>('bench_erp_accounts_known', `SELECT id FROM erp_ledger_accounts WHERE tenant_id = $1 AND id IN ($2, $3, $4)${postgres ? ' FOR SHARE' : ''}`);
    const periodMake = db.statement(
      'bench_erp_period_make',
      "INSERT INTO erp_periods (tenant_id, id, status, locked_at, version, updated_at) VALUES ($1, $2, 'open', NULL, 1, $3) ON CONFLICT (tenant_id, id) DO NOTHING",
    );
    const periodRead = db.statement<{ status: string }>('bench_erp_period_read', `SELECT id, status, locked_at, version FROM erp_periods WHERE tenant_id = $1 AND id = $2${postgres ? ' FOR SHARE' : ''}`);
    const entryAdd = db.statement(
      'bench_erp_entry_insert',
      `INSERT INTO erp_journal_entries (id, tenant_id, number, date, memo, source_type, source_id, currency, total_amount, ledger_account_ids, status, reverses_entry_id, reversed_by_entry_id, posted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13)`,
    );
    const entryLinesAdd = db.statement(
      'bench_erp_entry_lines_insert',
      'INSERT INTO erp_journal_lines (entry_id, line_no, tenant_id, ledger_account_id, date, debit, credit, memo) VALUES ($1, 1, $2, $3, $4, $5, $6, $7), ($1, 2, $2, $8, $4, $9, $10, $11), ($1, 3, $2, $12, $4, $13, $14, $15)',
    );
    const invoiceWrite = db.statement<{ id: string }>(
      'bench_erp_inv_write',
      `UPDATE erp_invoices SET number = $1, customer_id = $2, sales_order_id = $3, status = $4, issue_date = $5, due_date = $6,
       currency = $7, amount_paid = $8, amount_credited = $9, journal_entry_id = $10, version = $11, updated_at = $12
       WHERE tenant_id = $13 AND id = $14 AND version = $15 RETURNING id`,
    );
    const eventsAdd = db.statement(
      'bench_erp_inv_events_insert',
      'INSERT INTO outbox_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8), ($9, $10, $11, $12, $13, $14, $15, 0, $8)',
    );
    const prefix = `${INVOICES}/`;
    return {
      matches: (method, p) => method === 'POST' && p.startsWith(prefix) && p.endsWith('/finalize'),
      async handle(req, res, p) {
        req.resume();
        const id = p.slice(prefix.length, -'/finalize'.length);
        // No body: the issue date is today (UTC), as the app's.
        const issueDate = new Date().toISOString().slice(0, 10);
        const year = Number(issueDate.slice(0, 4));
        let json = '';
        try {
          await db.transaction(async (tx) => {
            const invoice = await invoiceRead.one([tenantId, id], tx);
            if (!invoice) throw new Refused(404);
            if (req.headers['if-match'] !== `"${invoice.version}"`) throw new Refused(412);
            const lines = await linesRead.all([tenantId, id], tx);
            if (invoice.status !== 'draft') throw new Refused(409);
            const customer = await customerRead.one([tenantId, invoice.customer_id], tx);
            if (!customer) throw new Error(`the customer of invoice ${id} is gone`);
            const number = `INV-${year}-${pad6(Number((await sequenceNext.one([tenantId, 'INV', year], tx))!.last))}`;
            // By code once, then remembered, as the app's journal remembers the standard accounts.
            if (!standardAccounts) {
              const ids: string[] = [];
              for (const code of ACCOUNT_CODES) {
                const found = await accountByCode.one([tenantId, code], tx);
                if (!found) throw new Error(`no ledger account ${code}: the setup makes the chart`);
                ids.push(found.id);
              }
              standardAccounts = ids;
            }
            const accounts = standardAccounts;
            if ((await accountsKnown.all([tenantId, ...accounts], tx)).length !== 3) throw new Refused(400);
            const period = issueDate.slice(0, 7);
            await periodMake.all([tenantId, period, timeParam(db, new Date())], tx);
            if ((await periodRead.one([tenantId, period], tx))?.status === 'locked') throw new Refused(409);
            const entryNumber = `JE-${year}-${pad6(Number((await sequenceNext.one([tenantId, 'JE', year], tx))!.last))}`;
            const entryId = `jen_${ulid()}`;
            const postedAt = new Date();
            const updatedAt = new Date();
            const { net, tax, doc } = invoiceJson(invoice, lines, {
              number,
              issueDate,
              dueDate: addDays(issueDate, Number(customer.payment_terms_days)),
              journalEntryId: entryId,
              updatedAt,
            });
            const total = net + tax;
            const memo = `Invoice ${number}`;
            await entryAdd.all(
              [entryId, tenantId, entryNumber, issueDate, memo, 'invoice', id, doc.currency, String(total), JSON.stringify(accounts), 'posted', null, timeParam(db, postedAt)],
              tx,
            );
            const sides: [bigint, bigint][] = [
              [total, 0n],
              [0n, net],
              [0n, tax],
            ];
            await entryLinesAdd.all([entryId, tenantId, ...sides.flatMap(([debit, credit], i) => [accounts[i], ...(i === 0 ? [issueDate] : []), String(debit), String(credit), null])], tx);
            if (
              !(await invoiceWrite.one(
                [number, invoice.customer_id, invoice.sales_order_id, 'open', issueDate, doc.due_date, doc.currency, Number(invoice.amount_paid), Number(invoice.amount_credited), entryId, doc.version, timeParam(db, updatedAt), tenantId, id, Number(invoice.version)],
                tx,
              ))
            )
              throw new Refused(409);
            json = JSON.stringify(doc);
            const m = (amount: bigint) => ({ amount: Number(amount), currency: doc.currency });
            const entry = {
              id: entryId,
              number: entryNumber,
              date: issueDate,
              memo,
              source: { type: 'invoice', id },
              status: 'posted',
              currency: doc.currency,
              lines: sides.map(([debit, credit], i) => ({ ledger_account_id: accounts[i], debit: m(debit), credit: m(credit), memo: null })),
              total_debit: m(total),
              total_credit: m(total),
              reverses_entry_id: null,
              reversed_by_entry_id: null,
              posted_at: postedAt.toISOString(),
              version: 1,
            };
            await eventsAdd.all(
              [
                `evt_${ulid()}`,
                tenantId,
                'erp.journal_entry.posted',
                'journal_entry',
                entryId,
                JSON.stringify(entry),
                timeParam(db, postedAt),
                timeParam(db, NEVER_DUE(new Date())),
                `evt_${ulid()}`,
                tenantId,
                'erp.invoice.finalized',
                'invoice',
                id,
                json,
                timeParam(db, updatedAt),
              ],
              tx,
            );
          });
        } catch (err) {
          if (err instanceof Refused) return send(res, err.status, `{"status":${err.status}}`);
          throw err;
        }
        send(res, 200, json, { ETag: '"2"' });
      },
    };
  },
};
