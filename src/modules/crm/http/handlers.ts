import type { HandlerMap } from '../../../platform/http/handler';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { AccountUseCases } from '../application/accounts';
import type { ContactUseCases } from '../application/contacts';
import type { CustomFieldUseCases } from '../application/custom-fields';
import { accountHandlers } from './accounts.handlers';
import { contactHandlers } from './contacts.handlers';
import { customFieldHandlers } from './custom-fields.handlers';

export interface CrmHandlerDeps {
  accounts: AccountUseCases;
  contacts: ContactUseCases;
  customFields: CustomFieldUseCases;
  cursors: CursorCodec;
}

/** Every CRM operation's handler, one file per resource. */
export function crmHandlers({ accounts, contacts, customFields, cursors }: CrmHandlerDeps): HandlerMap {
  return {
    ...customFieldHandlers(customFields, cursors),
    ...accountHandlers(accounts, customFields, cursors),
    ...contactHandlers(contacts, customFields, cursors),
  };
}
