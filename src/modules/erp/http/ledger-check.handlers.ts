import type { components } from '../../../../generated/api';
import type { HandlerMap } from '../../../platform/http/handler';
import { iso, tenantOf } from '../../../platform/http/handler-kit';
import type { LedgerCheckUseCases } from '../application/ledger-check';
import { BASE_CURRENCY } from '../domain/party';

type Schemas = components['schemas'];

const signed = (amount: bigint | null): Schemas['SignedMoney'] | null => (amount === null ? null : { amount: Number(amount), currency: BASE_CURRENCY });

export function ledgerCheckHandlers(ledgerCheck: LedgerCheckUseCases): HandlerMap {
  return {
    async checkLedger(request) {
      const check = await ledgerCheck.check(tenantOf(request));
      return {
        status: 200,
        body: {
          checked_at: iso(check.checkedAt),
          currency: BASE_CURRENCY,
          entries_checked: check.entriesChecked,
          findings: check.findings.map((f) => ({
            kind: f.kind,
            detail: f.detail,
            journal_entry_id: f.journalEntryId,
            ledger_account_id: f.ledgerAccountId,
            ledger: signed(f.ledger),
            expected: signed(f.expected),
          })),
        },
      };
    },
  };
}
