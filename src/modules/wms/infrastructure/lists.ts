import type { List } from '../../../platform/db/list-query';

/** The module's lists by the operation that serves each: test/contract holds them to the contract. */
export const wmsLists = {} satisfies Readonly<Record<string, List>>;
