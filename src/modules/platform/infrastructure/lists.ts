import type { List } from '../../../platform/db/list-query';
import { API_CLIENT_LIST } from './api-client.repository';

/** The module's lists by the operation that serves each: test/contract holds them to the contract. */
export const platformLists = { listApiClients: API_CLIENT_LIST } satisfies Readonly<Record<string, List>>;
