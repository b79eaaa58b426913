/** `GET /v1/crm/accounts?owner_id=…&sort=name&limit=50`: one owner's accounts by name (2,000 of 100,000). */
import type { Scenario } from '../scenario';
import { ACCOUNTS, PAGE, benchAccounts, checkPage, rawAccountList } from './accounts';

export const listAccountsByOwner: Scenario<{ owner: string; term: string }> = {
  name: 'list-accounts-by-owner',
  label: 'accounts by owner',
  setup: benchAccounts,
  request: ({ owner }) => ({ path: `${ACCOUNTS}?owner_id=${owner}&sort=name&limit=${PAGE}` }),
  check: checkPage,
  raw: rawAccountList,
};
