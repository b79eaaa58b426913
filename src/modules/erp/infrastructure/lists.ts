import type { List } from '../../../platform/db/list-query';
import { CREDIT_NOTE_LIST } from './credit-note.repository';
import { BILL_LIST, INVOICE_LIST } from './document.repository';
import { JOURNAL_ENTRY_LIST } from './journal-entry.repository';
import { LEDGER_ACCOUNT_LIST } from './ledger-account.repository';
import { CUSTOMER_LIST, SUPPLIER_LIST } from './party.repository';
import { PAYMENT_LIST } from './payment.repository';
import { PURCHASE_ORDER_LIST } from './purchase-order.repository';
import { SALES_ORDER_LIST } from './sales-order.repository';
import { PERIOD_LIST } from './period.repository';
import { TAX_RATE_LIST } from './tax-rate.repository';

/** The module's lists by the operation that serves each: test/contract holds them to the contract. */
export const erpLists = {
  listTaxRates: TAX_RATE_LIST,
  listCustomers: CUSTOMER_LIST,
  listSuppliers: SUPPLIER_LIST,
  listLedgerAccounts: LEDGER_ACCOUNT_LIST,
  listJournalEntries: JOURNAL_ENTRY_LIST,
  listPeriods: PERIOD_LIST,
  listSalesOrders: SALES_ORDER_LIST,
  listPurchaseOrders: PURCHASE_ORDER_LIST,
  listInvoices: INVOICE_LIST,
  listBills: BILL_LIST,
  listPayments: PAYMENT_LIST,
  listCreditNotes: CREDIT_NOTE_LIST,
} satisfies Readonly<Record<string, List>>;
