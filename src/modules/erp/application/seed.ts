import type { ListPage, ListPosition } from '../../../platform/db/list-query';
import type { RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import type { StandardRole } from '../domain/ledger-account';
import { documentTotals } from '../domain/document';
import { BASE_CURRENCY } from '../domain/party';
import type { SeedOptions, SeedReport, Seeder } from '../../../platform/module';
import { parseRate } from '../domain/tax';
import type { TaxRateState } from '../domain/tax-rate';
import type { StockApi } from '../../wms';
import type { CreditNoteUseCases } from './credit-notes';
import type { DocumentUseCases } from './documents';
import type { JournalUseCases } from './journal';
import type { LedgerAccountUseCases } from './ledger-accounts';
import type { PaymentUseCases } from './payments';
import type { AccountParty, PartyUseCases } from './parties';
import type { PurchaseOrderUseCases } from './purchase-orders';
import type { SalesOrderUseCases } from './sales-orders';
import type { TaxRateUseCases } from './tax-rates';

/**
 * The ERP's demo data, keyed like the CRM's and WMS's so that a second run adds nothing: the tax
 * rates by name, the standard chart by code, customers and suppliers by their CRM account (the
 * CRM demo seed's accounts, by external id `seed-acc-…`). Made through the use cases, as the API
 * makes them. The bench profile gets the tax rates and the chart only.
 *
 * - three tax rates: "Standard 19 %", "Reduced 7 %", "Exempt 0 %" (on net prices);
 * - the standard chart of accounts;
 * - customers of the first 20 demo accounts and suppliers of the next 10 (an archived account
 *   is skipped), with payment terms from a fixed cycle and the standard rate as their default;
 * - four sales orders of the first customers (by name) for WMS demo stock (the first items by
 *   SKU with stock at a location, seeded by the WMS before): one left a draft, one confirmed
 *   (reserved), one delivered (shipped, its cost of goods posted), one cancelled after it was
 *   confirmed. Fixed dates and prices; made only while the tenant has no sales order;
 * - four purchase orders to the first suppliers (by name) for the same demo items, received at
 *   the items' locations: one left a draft, one confirmed, one received in part (its first
 *   line), one received in full (WMS receipts at their costs, the goods-received entries
 *   posted). Fixed dates and costs; made only while the tenant has no purchase order.
 * - invoices and bills, made only while the tenant has none: the delivered sales order invoiced
 *   (its draft finalized today: open, the order invoiced); three invoices of the first customer
 *   written directly — one left a draft, one finalized then voided (its entry reversed), one
 *   finalized then marked uncollectible; the received purchase order billed and finalized, the
 *   one received in part billed for what came in (left a draft).
 * - payments, made only while the tenant has none, dated today: the delivered order's invoice
 *   paid in full by its customer (the invoice `paid`), and the open bill paid in part (40.00 of
 *   it: the bill stays open with the rest due).
 * - a credit note, made only while the tenant has none: a draft of one unit of the paid invoice's
 *   first line ("damaged in transit"), left a draft (it changes nothing until it is finalized).
 * - a few journal entries dated the first of the current month (UTC), posted through the journal
 *   with the source `demo_seed` (keyed by its id): the opening balance (cash, and inventory at
 *   what the WMS values the demo stock at, against owner equity), a month's rent and office
 *   supplies paid in cash, so that the trial balance is not trivial, and balanced, and the
 *   ledger check finds nothing (every later stock movement comes from an ERP document).
 */

/** The demo entries: each line the role of a standard account, and a debit (+) or credit (−) in cents. */
function demoEntries(stockValue: bigint): readonly { key: string; memo: string; lines: readonly [StandardRole, bigint][] }[] {
  const cash = 5_000_000n;
  return [
    // The inventory the ledger opens with is what the WMS values the demo stock at, so that the
    // ledger check finds the inventory account equal to the stock's valuation.
    { key: 'opening-balance', memo: 'Opening balance', lines: [['cash', cash], ['inventory', stockValue], ['equity', -(cash + stockValue)]] },
    { key: 'rent', memo: 'Office rent, paid in cash', lines: [['expenses', 120_000n], ['cash', -120_000n]] },
    { key: 'supplies', memo: 'Office supplies, paid in cash', lines: [['expenses', 34_000n], ['cash', -34_000n]] },
  ];
}

export const DEMO_TAX_RATES = [
  { name: 'Standard 19 %', rate: '19.000' },
  { name: 'Reduced 7 %', rate: '7.000' },
  { name: 'Exempt 0 %', rate: '0.000' },
] as const;
export const DEMO_CUSTOMERS = 20;
export const DEMO_SUPPLIERS = 10;
const TERMS = [14, 30, 30, 45, 60];
const accountExternalId = (i: number) => `seed-acc-${String(i + 1).padStart(7, '0')}`;

export interface ErpSeedDeps {
  taxRates: TaxRateUseCases;
  ledgerAccounts: LedgerAccountUseCases;
  customers: PartyUseCases;
  suppliers: PartyUseCases;
  journal: JournalUseCases;
  runInUnitOfWork: RunInUnitOfWork;
  /** The CRM account with this external id (the CRM's api), null when there is none. */
  accountByExternalId(tenantId: string, externalId: string): Promise<AccountParty | null>;
  salesOrders: SalesOrderUseCases;
  purchaseOrders: PurchaseOrderUseCases;
  invoices: DocumentUseCases;
  bills: DocumentUseCases;
  payments: PaymentUseCases;
  creditNotes: CreditNoteUseCases;
  /** The WMS's stock interface: where the demo orders find stock. */
  stock: Pick<StockApi, 'takeable' | 'valuation'>;
}

/** The demo orders: what becomes of each, its date and its lines' unit prices (minor units). */
const DEMO_ORDERS = [
  { date: '2026-11-24', then: [], prices: [2490, 1290] },
  { date: '2026-11-26', then: ['confirm'], prices: [4990] },
  { date: '2026-11-27', then: ['confirm', 'deliver'], prices: [1990, 890] },
  { date: '2026-11-30', then: ['confirm', 'cancel'], prices: [15900] },
] as const;
/** The demo purchase orders: what becomes of each, its date and its lines' unit costs (minor units). */
const DEMO_PURCHASES = [
  { date: '2026-11-20', then: [], costs: [1450, 690] },
  { date: '2026-11-21', then: ['confirm'], costs: [3150] },
  { date: '2026-11-23', then: ['confirm', 'receive first line'], costs: [920, 445] },
  { date: '2026-11-25', then: ['confirm', 'receive'], costs: [1180] },
] as const;
/** Each demo purchase line orders this much of its item. */
const DEMO_PURCHASE_QUANTITY = '5';
/** Each demo line takes this much of its item: whole, for items counted in `ea`. */
const DEMO_QUANTITY = '2';
/** What the demo pays of the open bill, in cents. */
const DEMO_BILL_PAYMENT = 4000;
/** The demo actions' client id (as the WMS seed's moves are posted by). */
const SEED_ACTOR = 'cli_00000000000000000000000000';

export function erpSeeder({ taxRates, ledgerAccounts, customers, suppliers, journal, accountByExternalId, salesOrders, purchaseOrders, invoices, bills, payments, creditNotes, stock, runInUnitOfWork }: ErpSeedDeps): Seeder {
  /** The demo orders, unless the tenant has sales orders already; returns how many were made. */
  async function demoOrders(tenantId: string): Promise<number> {
    if ((await salesOrders.list(tenantId, { filters: {}, sort: 'created_at', limit: 1 })).items.length) return 0;
    const buyers = (await customers.list(tenantId, { filters: {}, sort: 'name', limit: DEMO_ORDERS.length })).items;
    const lines = DEMO_ORDERS.reduce((n, o) => n + o.prices.length, 0);
    // Twice the quantity available, so a later demo action (a WMS move) still finds stock.
    const places = await runInUnitOfWork(tenantId, (uow) => stock.takeable(uow, String(Number(DEMO_QUANTITY) * 2), lines * 4));
    // One place per item: two lines of an order never take the same stock.
    const distinct = places.filter((p, i) => places.findIndex((q) => q.itemId === p.itemId) === i);
    if (buyers.length < DEMO_ORDERS.length || distinct.length < lines) return 0;
    let made = 0;
    let next = 0;
    for (const [i, plan] of DEMO_ORDERS.entries()) {
      let order = await salesOrders.create(tenantId, {
        customerId: buyers[i].id,
        orderDate: plan.date,
        lines: plan.prices.map((amount) => {
          const place = distinct[next++];
          return { itemId: place.itemId, quantity: DEMO_QUANTITY, unitPrice: { amount, currency: 'EUR' }, locationId: place.locationId };
        }),
      });
      for (const action of plan.then) {
        const expected = [order.version];
        if (action === 'confirm') order = await salesOrders.confirm(tenantId, order.id, expected);
        else if (action === 'deliver') order = await salesOrders.deliver(tenantId, order.id, expected, undefined, SEED_ACTOR);
        else order = await salesOrders.cancel(tenantId, order.id, expected);
      }
      made++;
    }
    return made;
  }

  /** The demo purchase orders, unless the tenant has purchase orders already; returns how many were made. */
  async function demoPurchases(tenantId: string): Promise<number> {
    if ((await purchaseOrders.list(tenantId, { filters: {}, sort: 'created_at', limit: 1 })).items.length) return 0;
    const vendors = (await suppliers.list(tenantId, { filters: {}, sort: 'name', limit: DEMO_PURCHASES.length })).items;
    const lines = DEMO_PURCHASES.reduce((n, o) => n + o.costs.length, 0);
    const places = await runInUnitOfWork(tenantId, (uow) => stock.takeable(uow, '0.001', lines * 4));
    const distinct = places.filter((p, i) => places.findIndex((q) => q.itemId === p.itemId) === i);
    if (vendors.length < DEMO_PURCHASES.length || distinct.length < lines) return 0;
    let next = 0;
    for (const [i, plan] of DEMO_PURCHASES.entries()) {
      let order = await purchaseOrders.create(tenantId, {
        supplierId: vendors[i].id,
        orderDate: plan.date,
        lines: plan.costs.map((amount) => {
          const place = distinct[next++];
          return { itemId: place.itemId, quantity: DEMO_PURCHASE_QUANTITY, unitCost: { amount, currency: 'EUR' }, locationId: place.locationId };
        }),
      });
      for (const action of plan.then) {
        const expected = [order.version];
        if (action === 'confirm') order = await purchaseOrders.confirm(tenantId, order.id, expected);
        else if (action === 'receive') order = await purchaseOrders.receive(tenantId, order.id, expected, {}, SEED_ACTOR);
        else order = await purchaseOrders.receive(tenantId, order.id, expected, { lines: [{ lineId: order.lines[0].id, quantity: DEMO_PURCHASE_QUANTITY }] }, SEED_ACTOR);
      }
    }
    return DEMO_PURCHASES.length;
  }

  /** The demo invoices and bills (see above); how many of each were made. */
  async function demoDocuments(tenantId: string): Promise<{ invoices: number; bills: number }> {
    const none = { invoices: 0, bills: 0 };
    const page = { filters: {}, sort: '-created_at', limit: 1 };
    if ((await invoices.list(tenantId, page)).items.length || (await bills.list(tenantId, page)).items.length) return none;
    const made = { ...none };
    const finalize = async (docs: DocumentUseCases, id: string) => docs.finalize(tenantId, id, [1], {});
    const [delivered] = (await salesOrders.list(tenantId, { filters: { status: 'delivered' }, sort: 'order_date', limit: 1 })).items;
    if (delivered) {
      await finalize(invoices, (await salesOrders.invoice(tenantId, delivered.id, [delivered.version])).id);
      made.invoices++;
    }
    const [customer] = (await customers.list(tenantId, { filters: {}, sort: 'name', limit: 1 })).items;
    const standard = delivered?.lines[0]?.taxRateId;
    if (customer) {
      for (const [k, then] of (['draft', 'void', 'uncollectible'] as const).entries()) {
        const draft = await invoices.create(tenantId, {
          partyId: customer.id,
          lines: [{ description: `Consulting, ${then === 'draft' ? 'next' : 'last'} month`, quantity: String(4 + k), unit: { amount: 9500, currency: 'EUR' }, ...(standard && { taxRateId: standard }) }],
        });
        made.invoices++;
        if (then === 'draft') continue;
        const open = await finalize(invoices, draft.id);
        if (then === 'void') await invoices.void(tenantId, open.id, [open.version]);
        else await invoices.markUncollectible(tenantId, open.id, [open.version]);
      }
    }
    for (const status of ['received', 'partially_received']) {
      const [order] = (await purchaseOrders.list(tenantId, { filters: { status }, sort: 'order_date', limit: 1 })).items;
      if (!order) continue;
      const bill = await purchaseOrders.bill(tenantId, order.id, [order.version]);
      if (status === 'received') await finalize(bills, bill.id);
      made.bills++;
    }
    return made;
  }

  /** The demo payments (see above); how many were made. */
  async function demoPayments(tenantId: string): Promise<number> {
    const page = { filters: {}, sort: '-created_at', limit: 1 };
    if ((await payments.list(tenantId, page)).items.length) return 0;
    let made = 0;
    const open = { filters: { status: 'open' }, sort: 'created_at', limit: 50 };
    const invoice = (await invoices.list(tenantId, open)).items.find((d) => d.orderId !== null);
    if (invoice) {
      const due = Number(documentTotals(invoice).total) - invoice.amountPaid;
      const amount = { amount: due, currency: invoice.currency };
      await payments.record(tenantId, { direction: 'received', customerId: invoice.partyId, amount, reference: `Transfer for ${invoice.number}`, allocations: [{ invoiceId: invoice.id, amount }] });
      made++;
    }
    const [bill] = (await bills.list(tenantId, open)).items;
    if (bill) {
      const amount = { amount: Math.min(DEMO_BILL_PAYMENT, Number(documentTotals(bill).total) - bill.amountPaid), currency: bill.currency };
      await payments.record(tenantId, { direction: 'paid', supplierId: bill.partyId, amount, reference: `Part payment of ${bill.number}`, allocations: [{ billId: bill.id, amount }] });
      made++;
    }
    return made;
  }

  /** The demo credit note (see above): a draft of one unit of the paid invoice's first line; how many were made. */
  async function demoCreditNotes(tenantId: string): Promise<number> {
    if ((await creditNotes.list(tenantId, { filters: {}, sort: '-created_at', limit: 1 })).items.length) return 0;
    const [paid] = (await invoices.list(tenantId, { filters: { status: 'paid' }, sort: 'created_at', limit: 1 })).items;
    if (!paid) return 0;
    const line = paid.lines[0];
    await creditNotes.create(tenantId, { invoiceId: paid.id, reason: 'One unit damaged in transit', lines: [{ invoiceLineId: line.id, quantity: Math.min(line.quantity, 1000) }] });
    return 1;
  }

  async function allTaxRates(tenantId: string): Promise<TaxRateState[]> {
    const out: TaxRateState[] = [];
    let after: ListPosition | null = null;
    do {
      const page: ListPage<TaxRateState> = await taxRates.list(tenantId, { filters: {}, sort: 'name', limit: 200, ...(after && { after }) });
      out.push(...page.items);
      after = page.next;
    } while (after);
    return out;
  }

  return async (tenantId: string, options: SeedOptions): Promise<SeedReport> => {
    const report: SeedReport = { tax_rates: 0, ledger_accounts: 0, customers: 0, suppliers: 0, journal_entries: 0, sales_orders: 0, purchase_orders: 0, invoices: 0, bills: 0, payments: 0, credit_notes: 0 };
    const have = new Map((await allTaxRates(tenantId)).map((r) => [r.name.toLowerCase(), r]));
    for (const r of DEMO_TAX_RATES) {
      if (have.has(r.name.toLowerCase())) continue;
      have.set(r.name.toLowerCase(), await taxRates.create(tenantId, { name: r.name, rate: parseRate(r.rate)!, inclusive: false }));
      report.tax_rates++;
    }
    report.ledger_accounts = await ledgerAccounts.ensureChart(tenantId);
    if (options.profile !== 'demo') return report;

    const standard = have.get(DEMO_TAX_RATES[0].name.toLowerCase())!;
    const bar = options.progress('erp customers and suppliers', DEMO_CUSTOMERS + DEMO_SUPPLIERS);
    for (let i = 0; i < DEMO_CUSTOMERS + DEMO_SUPPLIERS; i++) {
      const role = i < DEMO_CUSTOMERS ? 'customers' : 'suppliers';
      const useCases = role === 'customers' ? customers : suppliers;
      const account = await accountByExternalId(tenantId, accountExternalId(i));
      bar.tick();
      if (!account || account.archived) continue;
      if (await useCases.idByAccount(tenantId, account.id)) continue;
      await useCases.create(tenantId, { accountId: account.id, paymentTermsDays: TERMS[i % TERMS.length], taxRateId: standard.isActive ? standard.id : null });
      report[role]++;
    }
    bar.done();

    const seeded = await journal.list(tenantId, { filters: { source_type: 'demo_seed' }, sort: 'date', limit: 200 });
    const posted = new Set(seeded.items.map((e) => e.source?.id));
    const date = `${new Date().toISOString().slice(0, 7)}-01`;
    const stockValue = posted.has('opening-balance') ? 0n : ((await runInUnitOfWork(tenantId, (uow) => stock.valuation(uow))).get(BASE_CURRENCY) ?? 0n);
    for (const e of demoEntries(stockValue)) {
      if (posted.has(e.key)) continue;
      await runInUnitOfWork(tenantId, async (uow) => {
        const lines = [];
        for (const [role, cents] of e.lines) {
          if (cents === 0n) continue;
          lines.push({ ledgerAccountId: await journal.journal.accountId(uow, role), debit: cents > 0n ? cents : 0n, credit: cents < 0n ? -cents : 0n });
        }
        await journal.journal.post(uow, { date, memo: e.memo, source: { type: 'demo_seed', id: e.key }, lines });
      });
      report.journal_entries++;
    }
    report.sales_orders = await demoOrders(tenantId);
    report.purchase_orders = await demoPurchases(tenantId);
    Object.assign(report, await demoDocuments(tenantId));
    report.payments = await demoPayments(tenantId);
    report.credit_notes = await demoCreditNotes(tenantId);
    return report;
  };
}
