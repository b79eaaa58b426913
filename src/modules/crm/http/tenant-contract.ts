import { createHash } from 'node:crypto';
import { MAX_NUMBER_VALUE, MAX_TEXT_VALUE, type CustomFieldState, type FieldObject } from '../domain/custom-field';

type Json = Record<string, any>;

/** The contract's schemas and list operations that carry each object's custom fields. */
const OBJECTS: Readonly<Record<FieldObject, { schema: string; create: string; list: string }>> = {
  account: { schema: 'Account', create: 'AccountCreate', list: 'listAccounts' },
  contact: { schema: 'Contact', create: 'ContactCreate', list: 'listContacts' },
  opportunity: { schema: 'Opportunity', create: 'OpportunityCreate', list: 'listOpportunities' },
};

/** A field's value as a JSON Schema. */
function valueSchema(field: Readonly<CustomFieldState>): Json {
  const about = { title: field.label, ...(field.description ? { description: field.description } : {}) };
  switch (field.type) {
    case 'string':
      return { ...about, type: 'string', maxLength: MAX_TEXT_VALUE };
    case 'number':
      return { ...about, type: 'number', minimum: -MAX_NUMBER_VALUE, maximum: MAX_NUMBER_VALUE };
    case 'boolean':
      return { ...about, type: 'boolean' };
    case 'date':
      return { ...about, type: 'string', format: 'date', maxLength: 10 };
    case 'enum':
      return { ...about, type: 'string', enum: [...(field.options ?? [])], maxLength: 100 };
  }
}

function withoutExamples(node: unknown): void {
  if (Array.isArray(node)) node.forEach(withoutExamples);
  else if (node && typeof node === 'object') {
    const o = node as Json;
    for (const key of Object.keys(o)) {
      if (key === 'example' || key === 'examples') delete o[key];
      else withoutExamples(o[key]);
    }
  }
}

function operationsById(document: Json): Map<string, Json> {
  const found = new Map<string, Json>();
  for (const item of Object.values<Json>(document.paths ?? {})) {
    for (const op of Object.values<Json>(item)) if (op && typeof op === 'object' && op.operationId) found.set(op.operationId, op);
  }
  return found;
}

/**
 * The contract typed for one tenant: each object's `<Schema>CustomFields` (responses),
 * `<Schema>CustomFieldsPatch` (patches) and a new `<Schema>CustomFieldsCreate` (creates, with
 * the required fields) list the tenant's fields as typed properties and no others, and each
 * list operation takes `custom_fields.<key>` as a typed query parameter instead of the
 * free-form one. `document` is not changed.
 */
export function tenantContract(document: Readonly<Json>, tenantId: string, fields: readonly Readonly<CustomFieldState>[]): { document: Json; etag: string } {
  const doc: Json = structuredClone(document);
  doc.info = {
    ...doc.info,
    title: `${doc.info.title} (tenant ${tenantId})`,
    description: `This copy of the contract is typed for the custom fields of tenant ${tenantId}; \`GET /crm/openapi.json\` serves it anew after they change.\n\n${doc.info.description ?? ''}`,
  };
  const schemas: Json = doc.components.schemas;
  const operations = operationsById(doc);
  for (const [object, names] of Object.entries(OBJECTS) as [FieldObject, (typeof OBJECTS)[FieldObject]][]) {
    const current = `${names.schema}CustomFields`;
    if (!schemas[current]) continue;
    const own = fields.filter((f) => f.object === object).sort((a, b) => (a.key < b.key ? -1 : 1));
    const properties = Object.fromEntries(own.map((f) => [f.key, valueSchema(f)]));
    const required = own.filter((f) => f.required).map((f) => f.key);
    const base = { type: 'object', additionalProperties: false, properties };
    schemas[current] = { ...base, description: `The ${object}'s custom field values, as this tenant defines them; a field without a value is absent.` };
    schemas[`${current}Create`] = { ...base, description: `Custom field values of a new ${object}.`, ...(required.length ? { required } : {}) };
    schemas[`${current}Patch`] = {
      type: 'object',
      additionalProperties: false,
      description: `Changes to the ${object}'s custom field values; \`null\` removes one.`,
      properties: Object.fromEntries(own.map((f) => [f.key, { oneOf: [valueSchema(f), { $ref: '#/components/schemas/Null' }] }])),
    };
    const create = schemas[names.create];
    if (create?.properties?.custom_fields) create.properties.custom_fields = { $ref: `#/components/schemas/${current}Create` };
    const list = operations.get(names.list);
    if (list?.parameters) {
      list.parameters = list.parameters.flatMap((p: Json) => {
        const name = p.$ref ? doc.components.parameters[p.$ref.split('/').pop()]?.name : p.name;
        if (name !== 'custom_fields') return [p];
        return own.map((f) => ({
          name: `custom_fields.${f.key}`,
          in: 'query',
          required: false,
          description: `Only ${object}s whose ${f.label} (\`${f.key}\`) equals this value.`,
          schema: valueSchema(f),
        }));
      });
    }
  }
  // Replaced above by the typed variants.
  delete schemas.CustomFieldValue;
  delete schemas.CustomFieldValues;
  delete schemas.CustomFieldValuesPatch;
  delete doc.components.parameters?.CustomFieldsFilter;
  // The examples show custom field values of no tenant in particular: this copy is for
  // generating typed clients, so it carries none rather than examples that break its schemas.
  withoutExamples(doc);
  const etag = `"${createHash('sha256').update(JSON.stringify(doc)).digest('base64url').slice(0, 27)}"`;
  return { document: doc, etag };
}
