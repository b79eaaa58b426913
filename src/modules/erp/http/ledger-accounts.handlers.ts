import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, iso, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { LedgerAccountUseCases } from '../application/ledger-accounts';
import type { LedgerAccountState } from '../domain/ledger-account';
import { LEDGER_ACCOUNT_LIST } from '../infrastructure/ledger-account.repository';

type Schemas = components['schemas'];

export function toLedgerAccount(s: Readonly<LedgerAccountState>): Schemas['LedgerAccount'] {
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    type: s.type,
    system: s.system,
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

export function ledgerAccountHandlers(accounts: LedgerAccountUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listLedgerAccounts(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(LEDGER_ACCOUNT_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await accounts.list(tenantId, list.request), toLedgerAccount) };
    },

    async createLedgerAccount(request) {
      const b = request.body;
      const account = await accounts.create(tenantOf(request), { code: b.code, name: b.name, type: b.type }, request.claim);
      return { status: 201, headers: { Location: `/v1/erp/ledger-accounts/${account.id}`, ETag: etag(account.version) }, body: toLedgerAccount(account) };
    },

    async getLedgerAccount(request) {
      const account = await accounts.get(tenantOf(request), request.params.ledger_account_id);
      return { status: 200, headers: { ETag: etag(account.version) }, body: toLedgerAccount(account) };
    },

    async updateLedgerAccount(request) {
      const b = request.body;
      const account = await accounts.update(tenantOf(request), request.params.ledger_account_id, expectedVersions(request.ifMatch), { code: b.code, name: b.name, type: b.type });
      return { status: 200, headers: { ETag: etag(account.version) }, body: toLedgerAccount(account) };
    },

    async deleteLedgerAccount(request) {
      await accounts.delete(tenantOf(request), request.params.ledger_account_id, expectedVersions(request.ifMatch));
      return { status: 204, body: undefined };
    },
  };
}
