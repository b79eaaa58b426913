import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { type ExpectedVersion, InvalidInputError, type InvalidField, NotFoundError } from '../../../platform/errors';
import type { Money } from '../../../platform/money';
import { formatQuantity, parseQuantity, type StockApi } from '../../wms';
import { addDays, DOCUMENT_KINDS, type DocumentLineInput, type DocumentState, type DocumentType, documentTotals, FinancialDocument } from '../domain/document';
import { documentNumber, isCalendarDate } from '../domain/journal-entry';
import { type Address, assertBaseCurrency, BASE_CURRENCY, type PartyRole } from '../domain/party';
import { BillRepository, InvoiceRepository } from '../infrastructure/document.repository';
import { PartyRepository } from '../infrastructure/party.repository';
import { PurchaseOrderRepository } from '../infrastructure/purchase-order.repository';
import { SalesOrderRepository } from '../infrastructure/sales-order.repository';
import { SequenceRepository } from '../infrastructure/sequence.repository';
import { TaxRateRepository } from '../infrastructure/tax-rate.repository';
import type { EntryLine, Journal } from './journal';
import { lineTaxRates, loadOrder, orderAction, partyOf, today } from './orders';

export interface DocumentDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  stock: Pick<StockApi, 'items'>;
  /** Where finalize posts and void reverses, in the document's unit of work. */
  journal: Journal;
}

/** A line as the request writes it: `unit` is the invoice's unit price or the bill's unit cost. */
export interface DocumentLineRequest {
  description: string;
  itemId?: string;
  quantity: string;
  unit: Money;
  taxRateId?: string;
  /** Set by an order's `invoice` / `bill` action only. */
  orderLineId?: string;
}

export interface DocumentCreate {
  partyId: string;
  orderId?: string;
  currency?: string;
  lines: readonly DocumentLineRequest[];
}

export type DocumentChange = Partial<DocumentCreate>;

/** What a printed document shows besides the document itself: its party, and the names of its tax rates. */
export interface PrintableDocument {
  document: DocumentState;
  party: { name: string; billingAddress: Address | null };
  /** Each line's tax rate by id (a rate deactivated since still has its name). */
  taxRateNames: ReadonlyMap<string, string>;
}

const repoOf = (type: DocumentType, uow: UnitOfWork) => (type === 'invoice' ? InvoiceRepository.in(uow) : BillRepository.in(uow));

/**
 * The lines checked: an item, when named, of the tenant (the quantity in its unit), a tax rate
 * (the line's or the party's default) active; each refusal a 400 naming `/lines/<n>/…`.
 */
async function resolveLines(uow: UnitOfWork, stock: Pick<StockApi, 'items'>, lines: readonly DocumentLineRequest[], defaultTaxRateId: string | null, role: PartyRole): Promise<DocumentLineInput[]> {
  const items = await stock.items(
    uow,
    lines.flatMap((l) => (l.itemId ? [l.itemId] : [])),
  );
  const bad: InvalidField[] = [];
  const quantities = lines.map((l, i) => {
    const item = l.itemId ? items.get(l.itemId) : undefined;
    if (l.itemId && !item) bad.push({ pointer: `/lines/${i}/item_id`, detail: `is not an item of this tenant (there is no item ${l.itemId})` });
    try {
      return parseQuantity(l.quantity, `/lines/${i}/quantity`, item ? { unit: item.unit } : {});
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      bad.push(...err.fields);
      return 0;
    }
  });
  const rates = await lineTaxRates(uow, lines, defaultTaxRateId, role, bad);
  return lines.map((l, i) => ({ description: l.description, itemId: l.itemId ?? null, quantity: quantities[i], unit: l.unit, taxRateId: rates[i].id, taxRate: rates[i].rate, taxInclusive: rates[i].inclusive, orderLineId: l.orderLineId ?? null }));
}

/**
 * Invoices or bills (`type`): drafts written, changed and deleted; `finalize` (the next number of
 * the series in the issue date's year, the due date from the party's payment terms, the entry
 * posted through the journal: all in one unit of work, so that a failure gives the number back),
 * `void` (the reversal of that entry, dated today) and `mark-uncollectible`.
 */
export function documentUseCases(type: DocumentType, { db, runInUnitOfWork, stock, journal }: DocumentDeps) {
  const kind = DOCUMENT_KINDS[type];
  const what = kind.what.toLowerCase();
  const reader = (tenantId: string) => (type === 'invoice' ? new InvoiceRepository(db, tenantId) : new BillRepository(db, tenantId));
  const load = (uow: UnitOfWork, id: string, expected: ExpectedVersion) => loadOrder(repoOf(type, uow), id, expected, what);
  const action = orderAction<FinancialDocument>(runInUnitOfWork, load);

  async function get(tenantId: string, id: string): Promise<DocumentState> {
    const state = await reader(tenantId).state(id);
    if (!state) throw new NotFoundError(`There is no ${what} ${id}.`);
    return state;
  }

  /** The order named must be one of the tenant's, of the same party (else a 400 naming it). */
  async function checkOrder(uow: UnitOfWork, orderId: string, partyId: string): Promise<void> {
    const order = type === 'invoice' ? await SalesOrderRepository.in(uow).state(orderId) : await PurchaseOrderRepository.in(uow).state(orderId);
    const pointer = `/${kind.orderField}`;
    if (!order) throw new InvalidInputError([{ pointer, detail: `is not a ${type === 'invoice' ? 'sales' : 'purchase'} order of this tenant (there is no order ${orderId})` }]);
    const orderParty = 'customerId' in order ? order.customerId : order.supplierId;
    if (orderParty !== partyId) throw new InvalidInputError([{ pointer, detail: `is an order of another ${kind.role} (${orderParty})` }]);
  }

  async function lines(uow: UnitOfWork, partyId: string, requested: readonly DocumentLineRequest[]) {
    const party = await partyOf(uow, kind.role, partyId);
    return resolveLines(uow, stock, requested, party.taxRateId, kind.role);
  }

  /** The entry of a finalize: invoice Dr receivables / Cr revenue, Cr tax payable; bill Dr goods received not invoiced, Dr tax receivable / Cr payables. */
  async function entryLines(uow: UnitOfWork, doc: Readonly<DocumentState>): Promise<EntryLine[]> {
    const { net, tax, total } = documentTotals(doc);
    const account = (role: Parameters<Journal['accountId']>[1]) => journal.accountId(uow, role);
    const lines: EntryLine[] =
      type === 'invoice'
        ? [
            { ledgerAccountId: await account('receivables'), debit: total, credit: 0n },
            { ledgerAccountId: await account('revenue'), debit: 0n, credit: net },
            { ledgerAccountId: await account('tax_payable'), debit: 0n, credit: tax },
          ]
        : [
            { ledgerAccountId: await account('goods_received_not_invoiced'), debit: net, credit: 0n },
            { ledgerAccountId: await account('tax_receivable'), debit: tax, credit: 0n },
            { ledgerAccountId: await account('payables'), debit: 0n, credit: total },
          ];
    return lines.filter((l) => l.debit > 0n || l.credit > 0n);
  }

  /**
   * Gives back to its order what the document's lines had taken of it (`invoice` / `bill`
   * actions): the order locked after the document, saved at the version it is at.
   */
  async function returnToOrder(uow: UnitOfWork, doc: Readonly<DocumentState>): Promise<void> {
    const returned = doc.lines.flatMap((l) => (l.orderLineId ? [{ lineId: l.orderLineId, quantity: l.quantity }] : []));
    if (!doc.orderId || !returned.length) return;
    if (type === 'invoice') {
      const repo = SalesOrderRepository.in(uow);
      const order = await repo.get(doc.orderId);
      const loaded = order?.version;
      if (order && order.uninvoiced(returned)) await repo.save(order, loaded!);
    } else {
      const repo = PurchaseOrderRepository.in(uow);
      const order = await repo.get(doc.orderId);
      const loaded = order?.version;
      if (order && order.unbilled(returned)) await repo.save(order, loaded!);
    }
  }

  return {
    kind,
    load,

    get,

    /** The document with its party's name and address and its tax rates' names, for its PDF. */
    async printable(tenantId: string, id: string): Promise<PrintableDocument> {
      const document = await get(tenantId, id);
      const party = await new PartyRepository(db, tenantId).of(kind.role).state(document.partyId);
      if (!party) throw new Error(`${what} ${id} names ${kind.role} ${document.partyId}, which does not exist`);
      const rateIds = document.lines.map((l) => l.taxRateId);
      const known = await new TaxRateRepository(db, tenantId).names(rateIds);
      const taxRateNames = new Map(rateIds.map((rateId) => [rateId, known.get(rateId) ?? rateId]));
      return { document, party: { name: party.name, billingAddress: party.billingAddress }, taxRateNames };
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<DocumentState>> {
      return reader(tenantId).list(request);
    },

    /** A draft in `uow` (an order's `invoice` / `bill` action makes one so). */
    async draft(uow: UnitOfWork, input: DocumentCreate): Promise<DocumentState> {
      const currency = input.currency ?? BASE_CURRENCY;
      assertBaseCurrency(currency);
      const checked = await lines(uow, input.partyId, input.lines);
      if (input.orderId) await checkOrder(uow, input.orderId, input.partyId);
      const doc = FinancialDocument.create(uow.tenantId, type, { partyId: input.partyId, orderId: input.orderId ?? null, currency, lines: checked });
      await repoOf(type, uow).add(doc);
      return doc.snapshot;
    },

    create(tenantId: string, input: DocumentCreate, claim?: IdempotencyClaim): Promise<DocumentState> {
      assertBaseCurrency(input.currency ?? BASE_CURRENCY);
      return runInUnitOfWork(tenantId, (uow) => this.draft(uow, input), claim);
    },

    /** A merge patch of a draft (else 409); `lines` replaces them all, checked as on create. */
    update(tenantId: string, id: string, expected: ExpectedVersion, patch: DocumentChange): Promise<DocumentState> {
      if (patch.currency !== undefined) assertBaseCurrency(patch.currency);
      return runInUnitOfWork(tenantId, async (uow) => {
        const { repo, order: doc, loaded } = await load(uow, id, expected);
        doc.assertDraft();
        const partyId = patch.partyId ?? doc.snapshot.partyId;
        const checked = patch.lines ? await lines(uow, partyId, patch.lines) : patch.partyId !== undefined ? (await partyOf(uow, kind.role, partyId), undefined) : undefined;
        const orderId = patch.orderId ?? doc.snapshot.orderId;
        if (orderId && (patch.orderId !== undefined || patch.partyId !== undefined)) await checkOrder(uow, orderId, partyId);
        // Lines replaced: what the old ones took of the order is its own again.
        if (checked) await returnToOrder(uow, doc.snapshot);
        if (doc.change({ partyId: patch.partyId, orderId: patch.orderId, currency: patch.currency, lines: checked }).changed) await repo.save(doc, loaded);
        return doc.snapshot;
      });
    },

    /** Deletes a draft (else 409); what it took of its order (an order's `invoice` / `bill` action) can be invoiced or billed again. */
    remove(tenantId: string, id: string, expected: ExpectedVersion): Promise<void> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const { repo, order: doc, loaded } = await load(uow, id, expected);
        doc.assertDraft();
        await returnToOrder(uow, doc.snapshot);
        await repo.remove(doc, loaded);
      });
    },

    /**
     * Finalizes a draft: the number (taken first: whatever fails after it rolls it back), the
     * issue date (`issueDate` or today), the due date (+ the party's payment terms), the entry.
     */
    finalize(tenantId: string, id: string, expected: ExpectedVersion, input: { issueDate?: string }, claim?: IdempotencyClaim): Promise<DocumentState> {
      const issueDate = input.issueDate ?? today();
      if (!isCalendarDate(issueDate)) throw new InvalidInputError([{ pointer: '/issue_date', detail: `is not a date (YYYY-MM-DD): ${issueDate}` }]);
      return action(tenantId, id, expected, claim, async (uow, doc) => {
        doc.assertAllowed('finalize');
        const s = doc.snapshot;
        const party = await PartyRepository.in(uow).of(kind.role).state(s.partyId);
        if (!party) throw new Error(`the ${kind.role} ${s.partyId} of ${what} ${id} is gone`);
        const year = Number(issueDate.slice(0, 4));
        const number = documentNumber(kind.series, year, await SequenceRepository.in(uow).next(kind.series, year));
        const entry = await entryLines(uow, s);
        const posted =
          entry.length >= 2 ? await journal.post(uow, { date: issueDate, memo: `${kind.what} ${number}`, source: { type, id }, lines: entry }) : null;
        doc.finalize({ number, issueDate, dueDate: addDays(issueDate, party.paymentTermsDays), journalEntryId: posted?.id ?? null });
      });
    },

    /** Voids an open document of which nothing was paid: its entry reversed, dated today; the number stays used; what it took of its order can be invoiced or billed again. */
    void(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<DocumentState> {
      return action(tenantId, id, expected, claim, async (uow, doc) => {
        doc.void();
        const { journalEntryId, number } = doc.snapshot;
        if (journalEntryId) await journal.reverse(uow, journalEntryId, today(), `Void of ${kind.what.toLowerCase()} ${number}`);
        await returnToOrder(uow, doc.snapshot);
      });
    },

    /** Marks an open document uncollectible: nothing is posted. */
    markUncollectible(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<DocumentState> {
      return action(tenantId, id, expected, claim, async (_uow, doc) => doc.markUncollectible());
    },
  };
}

export type DocumentUseCases = ReturnType<typeof documentUseCases>;

/** What an order's `invoice` or `bill` action needs of the order. */
export interface FollowUpOrder {
  snapshot: { id: string; number: string; currency: string; lines: readonly { id: string; itemId: string; taxRateId: string }[] };
}

/**
 * An order's `invoice` (sales) or `bill` (purchase) action: in one unit of work, the order loaded
 * at the version If-Match names, what it has outstanding planned (`plan`: delivered or received
 * and not yet invoiced or billed; none is a 409), a draft of `documents` made of it (each line
 * linked to the order's, at its unit amount and tax rate), the order's lines counting it
 * (`record`) and saved. The answer is the draft.
 */
export function followUpDocument<O extends FollowUpOrder>(
  { runInUnitOfWork, stock }: { runInUnitOfWork: RunInUnitOfWork; stock: Pick<StockApi, 'items'> },
  documents: DocumentUseCases,
  load: (uow: UnitOfWork, id: string, expected: ExpectedVersion) => Promise<{ repo: { save(order: O, loaded: number): Promise<void> }; order: O; loaded: number }>,
  spec: { plan: (order: O) => readonly { index: number; quantity: number }[]; record: (order: O, planned: readonly { lineId: string; index: number; quantity: number }[]) => void; partyId: (order: O) => string; unitAmount: (order: O, index: number) => number },
) {
  return (tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<DocumentState> =>
    runInUnitOfWork(
      tenantId,
      async (uow) => {
        const { repo, order, loaded } = await load(uow, id, expected);
        const planned = spec.plan(order).map((p) => ({ ...p, lineId: order.snapshot.lines[p.index].id }));
        const s = order.snapshot;
        const items = await stock.items(
          uow,
          planned.map((p) => s.lines[p.index].itemId),
        );
        const doc = await documents.draft(uow, {
          partyId: spec.partyId(order),
          orderId: s.id,
          currency: s.currency,
          lines: planned.map((p) => {
            const l = s.lines[p.index];
            return {
              description: `${s.number} line ${p.index + 1}: ${items.get(l.itemId)?.sku ?? l.itemId}`,
              itemId: l.itemId,
              quantity: formatQuantity(p.quantity),
              unit: { amount: spec.unitAmount(order, p.index), currency: s.currency },
              taxRateId: l.taxRateId,
              orderLineId: l.id,
            };
          }),
        });
        spec.record(order, planned);
        await repo.save(order, loaded);
        return doc;
      },
      claim,
    );
}
