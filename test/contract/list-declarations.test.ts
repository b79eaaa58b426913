import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { List, ListParameter } from '../../src/platform/db/list-query';
import { MODULES } from '../../src/compose';

const document = JSON.parse(readFileSync(join(__dirname, '../../generated/openapi.json'), 'utf8'));
/** Every module's lists by operationId. */
const declared: Record<string, List> = Object.assign({}, ...MODULES.map((m) => m.lists ?? {}));

type Schema = Record<string, any>;

function resolve(doc: Schema, node: Schema | undefined): Schema | undefined {
  let n = node;
  while (n?.$ref) n = n.$ref.slice(2).split('/').reduce((at: Schema, key: string) => at?.[key], doc);
  return n;
}

/** Operations whose 200 answer is a page: `data` and `next_cursor`. */
function listOperations(doc: Schema): Map<string, Schema> {
  const found = new Map<string, Schema>();
  for (const item of Object.values<Schema>(doc.paths)) {
    for (const op of Object.values<Schema>(item)) {
      const schema = resolve(doc, resolve(doc, op?.responses?.['200'])?.content?.['application/json']?.schema);
      if (schema?.properties?.data && schema.properties.next_cursor) found.set(op.operationId, op);
    }
  }
  return found;
}

/** The schema a declared parameter needs in the contract, as a few keywords to compare. */
function expectedShape(p: ListParameter): Schema {
  const scalar: Schema = { text: { type: 'string' }, integer: { type: 'integer' }, boolean: { type: 'boolean' }, instant: { type: 'string', format: 'date-time' }, date: { type: 'string', format: 'date' }, set: { type: 'string' } }[p.type];
  const withValues = p.values ? { ...scalar, enum: [...p.values].sort() } : scalar;
  return p.op === 'in' ? { type: 'array', items: withValues } : withValues;
}

function shapeOf(schema: Schema | undefined, like: Schema): Schema {
  const out: Schema = {};
  for (const key of Object.keys(like)) {
    if (key === 'items') out.items = shapeOf(schema?.items, like.items);
    else if (key === 'enum') out.enum = schema?.enum ? [...schema.enum].sort() : undefined;
    else out[key] = schema?.[key];
  }
  return out;
}

/** Every difference between the contract's list operations and the declarations, in words. */
function drift(doc: Schema, lists: Record<string, List>): string[] {
  const problems: string[] = [];
  const operations = listOperations(doc);
  for (const id of Object.keys(lists)) if (!operations.has(id)) problems.push(`${id}: declared, but the contract has no such list operation`);
  for (const [id, op] of operations) {
    const list = lists[id];
    if (!list) {
      // A page with nothing to filter or sort (a timeline: limit and cursor only) has nothing to drift.
      const queries = (op.parameters ?? []).map((raw: Schema) => resolve(doc, raw)!).filter((p: Schema) => p.in === 'query' && p.name !== 'limit' && p.name !== 'cursor');
      if (queries.length) problems.push(`${id}: a list in the contract without a declaration`);
      continue;
    }
    const params = new Map<string, Schema>();
    for (const raw of op.parameters ?? []) {
      const p = resolve(doc, raw)!;
      if (p.in === 'query' && p.name !== 'limit' && p.name !== 'cursor') params.set(p.name, resolve(doc, p.schema)!);
    }
    const sort = params.get('sort');
    params.delete('sort');
    if (!sort) problems.push(`${id}: the contract has no sort parameter`);
    else {
      if (JSON.stringify([...(sort.enum ?? [])].sort()) !== JSON.stringify([...list.sortOptions].sort())) {
        problems.push(`${id}: sort is [${sort.enum}] in the contract, [${list.sortOptions}] declared`);
      }
      if (sort.default !== list.defaultSort) problems.push(`${id}: the default sort is ${sort.default} in the contract, ${list.defaultSort} declared`);
    }
    if (list.fields) {
      const free = params.get(list.fields.param);
      if (!free) problems.push(`${id}: the per-tenant fields parameter ${list.fields.param} is not in the contract`);
      else if (free.type !== 'object' || !free.additionalProperties) problems.push(`${id}: ${list.fields.param} must be a free-form object parameter`);
      params.delete(list.fields.param);
    }
    for (const name of params.keys()) if (!list.parameters.has(name)) problems.push(`${id}: query parameter ${name} is not declared`);
    for (const [name, p] of list.parameters) {
      if (!params.has(name)) {
        problems.push(`${id}: declared filter ${name} is not in the contract`);
        continue;
      }
      const want = expectedShape(p);
      const got = shapeOf(params.get(name), want);
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${id}: ${name} is ${JSON.stringify(got)} in the contract, ${JSON.stringify(want)} declared`);
    }
  }
  return problems;
}

describe('list declarations', () => {
  it('match the contract: every list operation is declared, with the same filters, sort keys and default', () => {
    expect(listOperations(document).size).toBeGreaterThan(0);
    expect(drift(document, declared)).toEqual([]);
  });

  it('tell each kind of drift', () => {
    const doc = structuredClone(document);
    const op = doc.paths['/platform/api-clients'].get;
    op.parameters = op.parameters.filter((p: Schema) => p.name !== 'q');
    op.parameters.push({ name: 'colour', in: 'query', schema: { type: 'string' } });
    const sort = op.parameters.find((p: Schema) => p.name === 'sort');
    sort.schema = { ...sort.schema, enum: ['name', '-name', 'size'], default: 'name' };
    op.parameters.find((p: Schema) => p.name === 'status').schema = { type: 'string', enum: ['active'] };
    doc.paths['/platform/api-clients'].get.operationId = 'listClients';
    expect(drift(doc, declared)).toEqual([
      'listApiClients: declared, but the contract has no such list operation',
      'listClients: a list in the contract without a declaration',
    ]);
    op.operationId = 'listApiClients';
    expect(drift(doc, declared)).toEqual([
      'listApiClients: sort is [name,-name,size] in the contract, [created_at,name,-created_at,-name] declared',
      'listApiClients: the default sort is name in the contract, -created_at declared',
      'listApiClients: query parameter colour is not declared',
      'listApiClients: status is {"type":"string","enum":["active"]} in the contract, {"type":"string","enum":["active","revoked"]} declared',
      'listApiClients: declared filter q is not in the contract',
    ]);
  });
});
