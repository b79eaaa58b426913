/** `GET /v1/crm/accounts?q=…&limit=50`: accounts whose name or domain contains a surname, newest first. */
import type { Scenario } from '../scenario';
import { ACCOUNTS, PAGE, benchAccounts, checkPage, rawAccountList } from './accounts';

export const searchAccounts: Scenario<{ owner: string; term: string }> = {
  name: 'search-accounts',
  label: 'accounts q search',
  setup: benchAccounts,
  request: ({ term }) => ({ path: `${ACCOUNTS}?q=${encodeURIComponent(term)}&limit=${PAGE}` }),
  check: checkPage,
  raw: rawAccountList,
};
