import type { HandlerMap } from '../../../platform/http/handler';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { CreditNoteUseCases } from '../application/credit-notes';
import type { DocumentUseCases } from '../application/documents';
import type { JournalUseCases } from '../application/journal';
import type { LedgerAccountUseCases } from '../application/ledger-accounts';
import type { LedgerCheckUseCases } from '../application/ledger-check';
import type { PartyUseCases } from '../application/parties';
import type { PaymentUseCases } from '../application/payments';
import type { PurchaseOrderUseCases } from '../application/purchase-orders';
import type { SalesOrderUseCases } from '../application/sales-orders';
import type { PeriodUseCases } from '../application/periods';
import type { ReportUseCases } from '../application/reports';
import type { TaxRateUseCases } from '../application/tax-rates';
import { creditNoteHandlers } from './credit-notes.handlers';
import { billHandlers, invoiceHandlers } from './documents.handlers';
import { journalHandlers } from './journal.handlers';
import { ledgerAccountHandlers } from './ledger-accounts.handlers';
import { ledgerCheckHandlers } from './ledger-check.handlers';
import { customerHandlers, supplierHandlers } from './parties.handlers';
import { paymentHandlers } from './payments.handlers';
import { purchaseOrderHandlers } from './purchase-orders.handlers';
import { salesOrderHandlers } from './sales-orders.handlers';
import { taxRateHandlers } from './tax-rates.handlers';

export interface ErpHandlerDeps {
  taxRates: TaxRateUseCases;
  customers: PartyUseCases;
  suppliers: PartyUseCases;
  ledgerAccounts: LedgerAccountUseCases;
  salesOrders: SalesOrderUseCases;
  journal: JournalUseCases;
  periods: PeriodUseCases;
  reports: ReportUseCases;
  ledgerCheck: LedgerCheckUseCases;
  purchaseOrders: PurchaseOrderUseCases;
  invoices: DocumentUseCases;
  bills: DocumentUseCases;
  payments: PaymentUseCases;
  creditNotes: CreditNoteUseCases;
  cursors: CursorCodec;
}

/** Every ERP operation's handler, one file per resource. */
export function erpHandlers({ taxRates, customers, suppliers, ledgerAccounts, journal, periods, reports, ledgerCheck, salesOrders, purchaseOrders, invoices, bills, payments, creditNotes, cursors }: ErpHandlerDeps): HandlerMap {
  return {
    ...taxRateHandlers(taxRates, cursors),
    ...customerHandlers(customers, cursors),
    ...supplierHandlers(suppliers, cursors),
    ...ledgerAccountHandlers(ledgerAccounts, cursors),
    ...journalHandlers(journal, periods, reports, cursors),
    ...ledgerCheckHandlers(ledgerCheck),
    ...salesOrderHandlers(salesOrders, cursors),
    ...purchaseOrderHandlers(purchaseOrders, cursors),
    ...invoiceHandlers(invoices, cursors),
    ...billHandlers(bills, cursors),
    ...paymentHandlers(payments, cursors),
    ...creditNoteHandlers(creditNotes, cursors),
  };
}
