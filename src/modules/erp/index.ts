/**
 * The ERP module: tax rates (and the per-line tax rule, domain/tax.ts), customers and suppliers
 * (CRM accounts in a role: their name and billing address copied from the account when made),
 * the chart of accounts (every tenant's standard accounts, made the first time its chart is
 * used, and the tenant's own), the ledger: journal entries (balanced, immutable — both held by
 * database triggers too, migrations/20261210100000-erp-ledger-guards.ts — numbered
 * without gaps per tenant and year, reversed once by another entry; application/journal.ts),
 * monthly periods that lock (no post dated in a locked one, for any caller), the trial
 * balance, and the ledger check (application/ledger-check.ts: every entry balances, inventory
 * equals the WMS's valuation; `GET /v1/erp/ledger-check` and `npm run admin -- check-ledger`); sales orders (drafts; confirmed by reserving their lines in the WMS, delivered by
 * shipping them and posting their cost of goods through the journal, cancelled by releasing
 * them) and purchase orders (drafts; confirmed, received into WMS stock at their unit costs with
 * the goods-received entry posted through the journal, cancelled while nothing came in) — each
 * action in one unit of work with the order; both kinds of order share domain/order.ts,
 * application/orders.ts, infrastructure/order.repository.ts and http/orders.ts. Invoices and
 * bills (domain/document.ts, application/documents.ts: drafts, written directly or by an order's
 * `invoice` / `bill` action; `finalize` takes the next INV / BILL number through
 * infrastructure/sequence.repository.ts — the counter the journal and the orders use — and posts
 * the entry; `void` posts its reversal; `mark-uncollectible` posts nothing) reuse the orders'
 * plumbing.
 * Its demo data: `seed` (application/seed.ts).
 * Publishes: `erp.journal_entry.posted`, `erp.sales_order.confirmed`, `erp.sales_order.delivered`,
 * `erp.sales_order.cancelled`, `erp.purchase_order.received`, `erp.invoice.finalized`,
 * `erp.invoice.voided`, `erp.bill.finalized`, `erp.bill.voided`. Consumes: nothing.
 * Uses: the CRM's `parties` (an account looked up as a party, checked when a customer or
 * supplier is made); the WMS's `stock` (items, reserve, ship, release, receive, valuation).
 * Offers inside the module and to other modules (`use(erpModule)`): `journal` — `post(uow,
 * entry)` and `reverse(uow, id, date)` in the caller's unit of work, `accountId(uow, role)` for
 * a standard account; `ledgerCheck` — `check(tenantId)` (the admin command runs it).
 */
import { defineModule, type ModuleDefinition } from '../../platform/module';
import { crmModule } from '../crm';
import { wmsModule } from '../wms';
import { creditNoteUseCases } from './application/credit-notes';
import { documentUseCases } from './application/documents';
import { journalUseCases } from './application/journal';
import { ledgerAccountUseCases } from './application/ledger-accounts';
import { ledgerCheckUseCases } from './application/ledger-check';
import { partyUseCases } from './application/parties';
import { paymentUseCases } from './application/payments';
import { periodUseCases } from './application/periods';
import { reportUseCases } from './application/reports';
import { purchaseOrderUseCases } from './application/purchase-orders';
import { salesOrderUseCases } from './application/sales-orders';
import { erpSeeder } from './application/seed';
import { taxRateUseCases } from './application/tax-rates';
import { erpHandlers } from './http/handlers';
import { erpLists } from './infrastructure/lists';
import { erpModels } from './infrastructure/models';

export const erpModule = defineModule({
  name: 'erp',
  models: erpModels,
  lists: erpLists,
  create(kernel, use) {
    const { parties } = use(crmModule);
    const deps = { db: kernel.db, runInUnitOfWork: kernel.runInUnitOfWork };
    const taxRates = taxRateUseCases(deps);
    const customers = partyUseCases('customer', { ...deps, account: parties.account });
    const suppliers = partyUseCases('supplier', { ...deps, account: parties.account });
    const ledgerAccounts = ledgerAccountUseCases(deps);
    const journal = journalUseCases(deps);
    const periods = periodUseCases(deps);
    const reports = reportUseCases(deps);
    const ledgerCheck = ledgerCheckUseCases({ runInUnitOfWork: kernel.runInUnitOfWork, stock: use(wmsModule).stock });
    const invoices = documentUseCases('invoice', { ...deps, stock: use(wmsModule).stock, journal: journal.journal });
    const bills = documentUseCases('bill', { ...deps, stock: use(wmsModule).stock, journal: journal.journal });
    const payments = paymentUseCases({ ...deps, journal: journal.journal });
    const creditNotes = creditNoteUseCases({ ...deps, journal: journal.journal });
    const salesOrders = salesOrderUseCases({ ...deps, stock: use(wmsModule).stock, journal: journal.journal, invoices });
    const purchaseOrders = purchaseOrderUseCases({ ...deps, stock: use(wmsModule).stock, journal: journal.journal, bills });
    return {
      handlers: erpHandlers({ taxRates, customers, suppliers, ledgerAccounts, journal, periods, reports, ledgerCheck, salesOrders, purchaseOrders, invoices, bills, payments, creditNotes, cursors: kernel.cursors }),
      seed: erpSeeder({ taxRates, ledgerAccounts, customers, suppliers, journal, salesOrders, purchaseOrders, invoices, bills, payments, creditNotes, stock: use(wmsModule).stock, runInUnitOfWork: kernel.runInUnitOfWork, accountByExternalId: parties.accountByExternalId }),
      api: { journal: journal.journal, ledgerCheck },
    };
  },
});

export type ErpApi = typeof erpModule extends ModuleDefinition<infer A> ? A : never;
export { lineTax, parseRate, formatRate, type LineTax, type RateThousandths } from './domain/tax';
export { BASE_CURRENCY } from './domain/party';
export { STANDARD_CHART, standardCode, type StandardRole } from './domain/ledger-account';
export type { Journal, NewEntry, EntryLine, JournalEntryState } from './application/journal';
export { PeriodLockedError } from './domain/journal-entry';
