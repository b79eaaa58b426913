/**
 * Every bench scenario, one line each, in the order the report lists them. A module adds its
 * own file next to these and one line here.
 */
import type { Scenario } from '../scenario';
import { createItem } from './create-item';
import { erpConfirmOrder } from './erp-confirm-order';
import { erpFinalizeInvoice } from './erp-finalize-invoice';
import { getApiClient } from './get-api-client';
import { getItem } from './get-item';
import { listAccountsByOwner } from './list-accounts-by-owner';
import { listApiClients } from './list-api-clients';
import { listItems } from './list-items';
import { ping } from './ping';
import { searchAccounts } from './search-accounts';
import { transfer } from './transfer';

// `any`: each scenario's Data is its own type, which only its own setup, request and raw see.
export const SCENARIOS: Scenario<any>[] = [
  getApiClient,
  listApiClients,
  ping,
  listAccountsByOwner,
  searchAccounts,
  getItem,
  listItems,
  createItem,
  transfer,
  erpConfirmOrder,
  erpFinalizeInvoice,
];

export function scenarioNamed(name: string): Scenario<any> {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no bench scenario "${name}"; there are: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}
