import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dereference } from 'openapi-backend/refparser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { checkHandlers } from '../../src/platform/http/app';
import { Contract } from '../../src/platform/http/contract';
import { MODULES } from '../../src/compose';
import { createModules } from '../../src/platform/module';
import { ALL_SCOPES } from '../../src/modules/platform/domain/tenant';

const root = join(__dirname, '../..');
const document = JSON.parse(readFileSync(join(root, 'generated/openapi.json'), 'utf8'));
/** A local `$ref` of the bundle (`#/components/...`). */
const resolve = (ref: string): any => ref.slice(2).split('/').reduce((node: any, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);

describe('the contract', () => {
  it('generated/ is in step with openapi/', () => {
    const out = execFileSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts/generate.ts'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('generated/ matches openapi/');
  }, 60_000);

  describe('operations and handlers', () => {
    let contract: Contract;
    // Every module's handlers, built on a kernel that is never called (nothing runs here).
    const handlers = createModules({} as never, MODULES).handlers;
    beforeAll(async () => {
      contract = await Contract.load(document);
    });

    it('has a handler for every operation and an operation for every handler', () => {
      expect(() => checkHandlers(contract, handlers)).not.toThrow();
      expect(contract.operations.size).toBe(Object.keys(handlers).length);
    });

    it("compiles every operation's request, response and response-header validators (the server compiles each on first use)", () => {
      expect(() => contract.compileAll()).not.toThrow();
      for (const op of contract.operations.values()) expect(op.validators?.params).toBeInstanceOf(Function);
    }, 180_000);

    it('refuses to start with an operation that has no handler, or a handler without an operation', () => {
      const { getTenant: _dropped, ...missing } = handlers;
      expect(() => checkHandlers(contract, missing)).toThrow(/operations without a handler: getTenant/);
      expect(() => checkHandlers(contract, { ...handlers, deleteEverything: async () => ({}) } as never)).toThrow(/handlers without an operation: deleteEverything/);
    });

    it('refuses a request body media type that openapi-backend would not validate', async () => {
      const onlyMergePatch = structuredClone(document);
      const patch = onlyMergePatch.paths['/platform/api-clients/{api_client_id}'].patch.requestBody.content;
      delete patch['application/json'];
      await expect(Contract.load(onlyMergePatch)).rejects.toThrow(/updateApiClient: a request body of application\/merge-patch\+json would not be validated/);
      const differing = structuredClone(document);
      differing.paths['/platform/api-clients/{api_client_id}'].patch.requestBody.content['application/merge-patch+json'].schema = { type: 'object' };
      await expect(Contract.load(differing)).rejects.toThrow(/schema of application\/merge-patch\+json differs/);
    });

    it('refuses an operation that takes Idempotency-Key and answers anything but JSON (a replay stores text)', async () => {
      const binary = structuredClone(document);
      binary.paths['/platform/api-clients'].post.responses['201'].content['application/pdf'] = { schema: { type: 'string', maxLength: 100 } };
      await expect(Contract.load(binary)).rejects.toThrow(/createApiClient: takes Idempotency-Key but answers 201 as application\/pdf/);
    });

    it('refuses a contract with no operations', async () => {
      await expect(Contract.load({ ...document, paths: {} })).rejects.toThrow(/no operations/);
    });

    it('requires If-Match exactly where it documents 428, and refuses a contract that says otherwise', async () => {
      for (const op of contract.operations.values()) {
        const raw = document.paths[op.path][op.method.toLowerCase()];
        const ifMatch = (raw.parameters ?? []).map((p: { $ref?: string }) => (p.$ref ? resolve(p.$ref) : p)).find((p: any) => p.in === 'header' && p.name === 'If-Match');
        expect({ op: op.operationId, ifMatch: ifMatch?.required === true, has428: op.responses.has('428') }).toEqual({ op: op.operationId, ifMatch: op.requiresIfMatch, has428: op.requiresIfMatch });
      }
      // The guidelines' rule: every PATCH, every DELETE and every action on a resource
      // (`POST …/{x_id}/verb`) takes If-Match; nothing else does.
      const wantsIfMatch = (o: { method: string; path: string }) => o.method === 'PATCH' || o.method === 'DELETE' || (o.method === 'POST' && /\/\{[a-z_]+\}\/[a-z-]+$/.test(o.path));
      const ops = [...contract.operations.values()];
      expect(ops.filter((o) => o.requiresIfMatch !== wantsIfMatch(o)).map((o) => `${o.method} ${o.path}`)).toEqual([]);
      expect(ops.filter((o) => o.requiresIfMatch).length).toBeGreaterThan(5);

      const optional = structuredClone(document);
      optional.components.parameters.IfMatch.required = false;
      await expect(Contract.load(optional)).rejects.toThrow(/If-Match must be required/);
      const no428 = structuredClone(document);
      delete no428.paths['/platform/api-clients/{api_client_id}'].patch.responses['428'];
      await expect(Contract.load(no428)).rejects.toThrow(/updateApiClient: a required If-Match and a 428 response go together/);
    });

    it('declares security on every operation, and every secured one documents 401', () => {
      for (const op of contract.operations.values()) {
        const raw = document.paths[op.path][op.method.toLowerCase()];
        expect({ op: op.operationId, security: Array.isArray(raw.security) }).toEqual({ op: op.operationId, security: true });
        if (op.security.length) expect({ op: op.operationId, has401: op.responses.has('401') }).toEqual({ op: op.operationId, has401: true });
      }
    });
  });

  it('uses only formats the validators check (Ajv ignores an unknown one)', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const formats = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'format' && typeof value === 'string') formats.add(value);
          else walk(value);
        }
      }
    };
    walk(document.paths);
    walk(document.components);
    expect(formats).toContain('int32');
    expect([...formats].filter((f) => !(f in ajv.formats))).toEqual([]);
  });

  it('gives every integer a format, int32 or int64', () => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}/${i}`));
      else if (node && typeof node === 'object') {
        const schema = node as Record<string, unknown>;
        if (schema.type === 'integer' && schema.format !== 'int32' && schema.format !== 'int64') missing.push(where);
        for (const [key, value] of Object.entries(schema)) if (key !== 'examples' && key !== 'example') walk(value, `${where}/${key}`);
      }
    };
    walk(document, '#');
    expect(missing).toEqual([]);
  });

  it('serves only client_credentials, as an enum', () => {
    expect(document.components.schemas.TokenRequest.properties.grant_type.enum).toEqual(['client_credentials']);
  });

  it('names the same scopes in the OAuth scheme, the Scope schema and the admin client', () => {
    const schemeScopes = Object.keys(document.components.securitySchemes.oauth2.flows.clientCredentials.scopes).sort();
    expect([...document.components.schemas.Scope.enum].sort()).toEqual(schemeScopes);
    expect([...ALL_SCOPES].sort()).toEqual(schemeScopes);
  });

  describe('examples', () => {
    type Found = { where: string; schema: object; value: unknown };

    async function examplesOf(doc: object): Promise<Found[]> {
      const deref: any = await dereference(structuredClone(doc) as never);
      const found: Found[] = [];
      const media = (where: string, content: Record<string, any> | undefined) => {
        for (const [type, m] of Object.entries(content ?? {})) {
          if (!m.schema) continue;
          if (m.example !== undefined) found.push({ where: `${where} ${type}`, schema: m.schema, value: m.example });
          for (const [name, ex] of Object.entries<any>(m.examples ?? {})) found.push({ where: `${where} ${type} (${name})`, schema: m.schema, value: ex.value });
        }
      };
      for (const [path, item] of Object.entries<any>(deref.paths)) {
        for (const [method, op] of Object.entries<any>(item)) {
          if (method === 'parameters') continue;
          media(`${method.toUpperCase()} ${path} request`, op.requestBody?.content);
          for (const [status, response] of Object.entries<any>(op.responses ?? {})) media(`${method.toUpperCase()} ${path} ${status}`, response.content);
          for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
            if (p.example !== undefined) found.push({ where: `${path} parameter ${p.name}`, schema: p.schema, value: p.example });
            for (const [name, ex] of Object.entries<any>(p.examples ?? {})) found.push({ where: `${path} parameter ${p.name} (${name})`, schema: p.schema, value: ex.value });
          }
        }
      }
      for (const [name, schema] of Object.entries<any>(deref.components?.schemas ?? {})) {
        for (const [i, value] of (schema.examples ?? []).entries()) found.push({ where: `schema ${name} example ${i}`, schema, value });
      }
      return found;
    }

    function invalid(found: Found[]): string[] {
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(ajv);
      return found.flatMap(({ where, schema, value }) => {
        const validate = ajv.compile(schema);
        return validate(value) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
      });
    }

    it('every example validates against its schema', async () => {
      const found = await examplesOf(document);
      expect(found.length).toBeGreaterThan(20);
      expect(invalid(found)).toEqual([]);
    });

    it('every request body and every response has an example', async () => {
      const found = await examplesOf(document);
      const missing: string[] = [];
      for (const [path, item] of Object.entries<any>(document.paths)) {
        for (const [method, op] of Object.entries<any>(item)) {
          if (method === 'parameters') continue;
          const where = `${method.toUpperCase()} ${path}`;
          if (op.requestBody && !found.some((f) => f.where.startsWith(`${where} request`))) missing.push(`${where} request`);
          // A 204 has no body to show.
          for (const status of Object.keys(op.responses).filter((s) => s !== '204')) if (!found.some((f) => f.where.startsWith(`${where} ${status} `))) missing.push(`${where} ${status}`);
        }
      }
      expect(missing).toEqual([]);
    });

    it('catches an example that does not match its schema', async () => {
      const broken = structuredClone(document);
      broken.paths['/platform/api-clients'].post.requestBody.content['application/json'].example.scopes = ['not:a-scope'];
      expect(invalid(await examplesOf(broken))).toEqual([expect.stringContaining('POST /platform/api-clients request')]);
    });
  });
});
