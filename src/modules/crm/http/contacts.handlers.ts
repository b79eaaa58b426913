import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, iso, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { ContactUseCases } from '../application/contacts';
import type { CustomFieldUseCases } from '../application/custom-fields';
import { type ContactInput, type ContactState, emailKey } from '../domain/contact';
import { CONTACT_LIST } from '../infrastructure/contact.repository';
import { fieldFiltersOf } from './custom-fields.handlers';

type Schemas = components['schemas'];

export function toContact(s: Readonly<ContactState>): Schemas['Contact'] {
  return {
    id: s.id,
    first_name: s.firstName,
    last_name: s.lastName,
    email: s.email,
    additional_emails: s.additionalEmails,
    phones: s.phones,
    title: s.title,
    account_id: s.accountId,
    owner_id: s.ownerId,
    tags: s.tags,
    external_id: s.externalId,
    custom_fields: s.customFields,
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

/** A contact body (create, merge patch, batch item) as the domain's input: only the members sent. */
export function fromContactBody(b: Schemas['ContactCreate'] | Schemas['ContactUpdate']): ContactInput {
  return {
    firstName: b.first_name,
    lastName: b.last_name,
    email: b.email,
    additionalEmails: b.additional_emails,
    phones: b.phones,
    title: b.title,
    accountId: b.account_id,
    ownerId: b.owner_id,
    tags: b.tags,
    externalId: b.external_id,
    customFields: b.custom_fields,
  };
}

export function contactHandlers(contacts: ContactUseCases, customFields: CustomFieldUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listContacts(request) {
      const tenantId = tenantOf(request);
      const fields = await fieldFiltersOf(customFields, tenantId, 'contact', request.query);
      // `email` is compared folded, as the column holds it.
      const query = typeof request.query.email === 'string' ? { ...request.query, email: emailKey(request.query.email) } : request.query;
      const list = readListQuery(CONTACT_LIST, query, tenantId, cursors, fields);
      return { status: 200, body: list.body(await contacts.list(tenantId, list.request), toContact) };
    },

    async createContact(request) {
      const contact = await contacts.create(tenantOf(request), fromContactBody(request.body), request.claim);
      return { status: 201, headers: { Location: `/v1/crm/contacts/${contact.id}`, ETag: etag(contact.version) }, body: toContact(contact) };
    },

    async getContact(request) {
      const contact = await contacts.get(tenantOf(request), request.params.contact_id);
      return { status: 200, headers: { ETag: etag(contact.version) }, body: toContact(contact) };
    },

    async updateContact(request) {
      const contact = await contacts.update(tenantOf(request), request.params.contact_id, expectedVersions(request.ifMatch), fromContactBody(request.body));
      return { status: 200, headers: { ETag: etag(contact.version) }, body: toContact(contact) };
    },

    async deleteContact(request) {
      await contacts.delete(tenantOf(request), request.params.contact_id, expectedVersions(request.ifMatch));
      return { status: 204, body: undefined };
    },
  };
}
