import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction, ErrorObject } from 'ajv';
import { dereference } from 'openapi-backend/refparser';
import OpenAPIBackend, { ValidationContext } from 'openapi-backend';
import { pointerToken } from './problem';

/**
 * The contract, loaded once at boot. openapi-backend dereferences it; each operation's request
 * and response validators (Ajv 2020-12, formats on) are compiled the first time the operation is
 * served, not at boot: compiling all of them takes seconds per process (about 16 s for the three
 * modules' 187 operations on one core), which every start-up, every scaled-out copy and every
 * test suite would pay for operations it may never see. `compileAll()` compiles every one (the
 * contract test calls it, so a schema Ajv cannot compile still fails the build). Routing does not use its per-request
 * matcher (slow: it rebuilds its operation list per request): the route table is built here once from the same
 * operations, and the request pipeline calls the compiled validators directly.
 */
export interface SecurityAlternative {
  scheme: 'bearer' | 'api_key';
  scopes: string[];
}

export interface OperationSpec {
  operationId: string;
  method: string;
  path: string;
  /** Declared request content types (lower-case), empty when the operation takes no body. */
  requestContentTypes: string[];
  bodyRequired: boolean;
  security: SecurityAlternative[];
  idempotent: boolean;
  requiresIfMatch: boolean;
  errorFormat: 'problem' | 'oauth2';
  arrayQueryParams: Set<string>;
  /** Query and path parameters typed integer or number: their text must be plain decimal. */
  numericParams: { in: 'query' | 'path'; name: string; integer: boolean }[];
  responses: Map<string, { contentTypes: string[]; requiredHeaders: string[] }>;
  /** Whether a body of a declared type is validated (JSON, form or multipart). */
  hasBodyValidator: boolean;
  /** Compiled on the operation's first request (see `Contract.requestValidators`). */
  validators?: { body: ValidateFunction | undefined; params: ValidateFunction };
}

/**
 * The route table: a tree of path segments built once from the contract. A lookup walks the
 * request's segments (a literal segment before a parameter, then parameters in contract order),
 * so it costs the same with ten operations or five hundred.
 */
interface RouteNode {
  methods?: Map<string, OperationSpec>;
  literal: Map<string, RouteNode>;
  dynamic: DynamicSegment[];
}

interface DynamicSegment {
  /** `{id}` is `{}`, `{name}.json` is `{}.json`: two templates with one shape share the node. */
  shape: string;
  /** For a segment with text besides its parameter(s), such as `{name}.json`; a plain `{id}` takes any segment. */
  pattern: RegExp | undefined;
  node: RouteNode;
}

const newNode = (): RouteNode => ({ literal: new Map(), dynamic: [] });

export interface RouteMatch {
  operation: OperationSpec;
  params: Record<string, string>;
}

export interface ValidationIssue {
  pointer: string;
  detail: string;
}

/** A check of a value against one schema of the contract: each failing field, its pointer under `pointer`. */
export type SchemaCheck = (value: unknown, pointer?: string) => ValidationIssue[];

/** What a module may ask of the contract besides its operations: checks of named schemas. */
export interface SchemaValidators {
  /**
   * A check of `components.schemas[schemaName]`, compiled once, judging as request bodies are
   * judged (formats on, no coercion, the same messages): for a body the contract types loosely
   * on purpose, such as a batch's items, each checked on its own.
   */
  validatorFor(schemaName: string): SchemaCheck;
}

export class Contract implements SchemaValidators {
  private readonly routes = newNode();
  private schemaAjv: Ajv2020 | undefined;
  private readonly schemaChecks = new Map<string, SchemaCheck>();
  /** Each templated operation's parameter names, in path order. */
  private readonly pathParams = new Map<OperationSpec, string[]>();
  readonly operations = new Map<string, OperationSpec>();

  private constructor(
    readonly document: Record<string, any>,
    private readonly api: OpenAPIBackend,
  ) {}

  static async load(document: Record<string, any>): Promise<Contract> {
    const api = new OpenAPIBackend({
      // Dereferenced here, then copied through JSON so that no two places share an object:
      // openapi-backend's `decycle` turns every repeated object into a `$ref`, which breaks
      // keyword values such as a shared `type: [string, 'null']` array (a `$ref` with siblings
      // shares its target's arrays). The original document stays as it is for /openapi.json.
      definition: unshared(await dereference(structuredClone(document) as never)) as any,
      strict: true,
      validate: true,
      // `quick` is openapi-backend's switch for compiling validators on first use (it also skips
      // its OpenAPI 3.0 document check, switched off below anyway, and dereferences the already
      // dereferenced definition synchronously).
      quick: true,
      coerceTypes: true,
      customizeAjv: (_ajv, opts, context) => {
        const ajv = new Ajv2020({
          ...opts,
          strict: false,
          allErrors: true,
          // Parameters arrive as strings and are coerced to their schema types (and defaults
          // filled in); JSON bodies are never coerced.
          coerceTypes: context === ValidationContext.Params ? 'array' : false,
          useDefaults: context === ValidationContext.Params,
        });
        addFormats(ajv);
        return ajv as any;
      },
    });
    // openapi-backend checks the document against the OpenAPI 3.0 schema, which a 3.1 document
    // fails — and the failed check skips dereferencing. Redocly lints the contract instead.
    (api as any).validateDefinition = () => undefined;
    await api.init();
    const contract = new Contract(document, api);
    contract.build();
    if (contract.operations.size === 0) throw new Error('the contract has no operations: refusing to start');
    return contract;
  }

  private build(): void {
    const schemes = this.document.components?.securitySchemes ?? {};
    const rootSecurity = this.document.security ?? [];
    for (const op of this.api.router.getOperations() as any[]) {
      const operationId: string = op.operationId;
      if (!operationId) throw new Error(`${op.method} ${op.path} has no operationId`);
      const content = op.requestBody?.content ?? {};
      const params: any[] = op.parameters ?? [];
      const requestContentTypes = Object.keys(content).map((c) => c.toLowerCase());
      const hasBodyValidator = requestContentTypes.some((c) => ['application/json', 'multipart/form-data', 'application/x-www-form-urlencoded'].includes(c));
      checkOneBodySchema(operationId, content);
      const requiresIfMatch = checkIfMatch(operationId, params, op.responses ?? {});
      const security = ((op.security ?? rootSecurity) as Record<string, string[]>[]).flatMap((requirement) =>
        Object.entries(requirement).map(([name, scopes]) => {
          const type = schemes[name]?.type;
          if (type !== 'oauth2' && type !== 'apiKey') throw new Error(`${operationId}: unsupported security scheme ${name}`);
          return { scheme: type === 'oauth2' ? 'bearer' : 'api_key', scopes } as SecurityAlternative;
        }),
      );
      const spec: OperationSpec = {
        operationId,
        method: op.method.toUpperCase(),
        path: op.path,
        requestContentTypes,
        bodyRequired: op.requestBody?.required === true,
        security,
        idempotent: params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'),
        requiresIfMatch,
        errorFormat: op['x-stratum-error-format'] === 'oauth2' ? 'oauth2' : 'problem',
        arrayQueryParams: new Set(params.filter((p) => p.in === 'query' && p.schema?.type === 'array').map((p) => p.name)),
        numericParams: params
          .filter((p) => (p.in === 'query' || p.in === 'path') && ['integer', 'number'].includes(p.schema?.type))
          .map((p) => ({ in: p.in, name: p.name, integer: p.schema.type === 'integer' })),
        responses: new Map(
          Object.entries(op.responses ?? {}).map(([status, response]: [string, any]) => [
            status,
            {
              contentTypes: Object.keys(response.content ?? {}).map((c) => c.toLowerCase()),
              requiredHeaders: Object.entries(response.headers ?? {})
                .filter(([, header]: [string, any]) => header.required === true)
                .map(([name]) => name.toLowerCase()),
            },
          ]),
        ),
        hasBodyValidator,
      };
      // A replay by Idempotency-Key stores the answer as text: an idempotent operation answers JSON (or nothing).
      if (spec.idempotent) {
        for (const [status, r] of spec.responses) {
          const binary = r.contentTypes.find((t) => !t.endsWith('json'));
          if (binary) throw new Error(`${operationId}: takes Idempotency-Key but answers ${status} as ${binary}; a replayed answer is stored as JSON text`);
        }
      }
      this.operations.set(operationId, spec);
      this.addRoute(spec);
    }
  }

  private addRoute(spec: OperationSpec): void {
    let node = this.routes;
    for (const segment of spec.path.split('/').slice(1)) {
      if (!segment.includes('{')) {
        let next = node.literal.get(segment);
        if (!next) node.literal.set(segment, (next = newNode()));
        node = next;
        continue;
      }
      const shape = segment.replace(/\{[^}]+\}/g, '{}');
      let dynamic = node.dynamic.find((d) => d.shape === shape);
      if (!dynamic) {
        const plain = shape === '{}';
        const source = segment
          .split(/\{[^}]+\}/)
          .map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('([^/]+)');
        dynamic = { shape, pattern: plain ? undefined : new RegExp(`^${source}$`), node: newNode() };
        node.dynamic.push(dynamic);
      }
      node = dynamic.node;
    }
    node.methods ??= new Map();
    node.methods.set(spec.method, spec);
    this.pathParams.set(spec, [...spec.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
  }

  /** The operation for a method and a path (without the /v1 base), or the methods the path has. */
  match(method: string, path: string): RouteMatch | { allow: string[] } | undefined {
    if (path.charCodeAt(0) !== 0x2f) return undefined;
    const values: string[] = [];
    const node = findRoute(this.routes, path.split('/'), 1, values);
    if (!node?.methods) return undefined;
    const operation = node.methods.get(method === 'HEAD' ? 'GET' : method);
    if (!operation) return { allow: allowOf(node.methods) };
    const names = this.pathParams.get(operation)!;
    const params: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) {
      const raw = values[i];
      if (!raw.includes('%')) params[names[i]] = raw;
      else {
        try {
          params[names[i]] = decodeURIComponent(raw);
        } catch {
          params[names[i]] = raw;
        }
      }
    }
    return { operation, params };
  }

  /** The operation's request validators, compiled on its first request and kept on it. */
  private requestValidators(operation: OperationSpec): NonNullable<OperationSpec['validators']> {
    const compiled = this.api.validator.getRequestValidatorsForOperation(operation.operationId) ?? [];
    operation.validators = { body: operation.hasBodyValidator ? compiled[0] : undefined, params: compiled[compiled.length - 1] };
    return operation.validators;
  }

  /**
   * Compiles every operation's request, response and response-header validators now, throwing
   * on a schema Ajv cannot compile. Start-up does not need it (each compiles on first use).
   */
  compileAll(): void {
    for (const operation of this.operations.values()) {
      operation.validators ?? this.requestValidators(operation);
      this.api.validator.getStatusBasedResponseValidatorForOperation(operation.operationId);
      this.api.validator.getResponseHeadersValidatorForOperation(operation.operationId);
    }
  }

  /** Validates and coerces parameters in place; returns each failing field. */
  validateRequest(
    operation: OperationSpec,
    input: { path: Record<string, string>; query: Record<string, unknown>; header: Record<string, unknown>; body?: unknown; hasBody: boolean },
  ): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const params = { path: input.path, query: input.query, header: input.header };
    // Ajv's coercion takes any text JavaScript reads as a number (`0x10`, `1e1`, ` 7`, `7.`);
    // a parameter's number is written in plain decimal digits, or it is refused.
    for (const numeric of operation.numericParams) {
      const value = params[numeric.in][numeric.name];
      if (typeof value === 'string' && !(numeric.integer ? INTEGER_TEXT : NUMBER_TEXT).test(value)) {
        issues.push({ pointer: `/${numeric.in}/${pointerToken(numeric.name)}`, detail: numeric.integer ? 'must be an integer in decimal digits' : 'must be a number in decimal digits' });
      }
    }
    const validators = operation.validators ?? this.requestValidators(operation);
    if (!validators.params(params)) {
      // A number refused above is not reported a second time by the schema. A missing If-Match
      // is the pipeline's 428, not a 400 of the header's `required`.
      const refused = new Set(issues.map((i) => i.pointer));
      const errors = (validators.params.errors ?? []).filter((e) => !(operation.requiresIfMatch && isMissingIfMatch(e)));
      issues.push(...toIssues(errors).filter((i) => !refused.has(i.pointer)));
    }
    if (validators.body && input.hasBody) {
      if (!validators.body({ requestBody: input.body })) issues.push(...toIssues(validators.body.errors ?? []));
    }
    return dedupe(issues);
  }

  validatorFor(schemaName: string): SchemaCheck {
    const known = this.schemaChecks.get(schemaName);
    if (known) return known;
    if (!this.document.components?.schemas?.[schemaName]) throw new Error(`the contract has no schema ${schemaName}`);
    if (!this.schemaAjv) {
      this.schemaAjv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(this.schemaAjv);
      this.schemaAjv.addSchema({ $id: 'contract', components: structuredClone(this.document.components) });
    }
    const validate = this.schemaAjv.compile({ $ref: `contract#/components/schemas/${pointerToken(schemaName)}` });
    const check: SchemaCheck = (value, pointer = '') => (validate(value) ? [] : dedupe(toIssues(validate.errors ?? []).map((i) => ({ pointer: pointer + i.pointer, detail: i.detail }))));
    this.schemaChecks.set(schemaName, check);
    return check;
  }

  /** Checks a response against the contract (status, content type, headers, body). */
  validateResponse(operation: OperationSpec, status: number, contentType: string | undefined, headers: Record<string, unknown>, body: unknown): string[] {
    const declared = operation.responses.get(String(status)) ?? operation.responses.get(`${String(status)[0]}XX`) ?? operation.responses.get('default');
    if (!declared) return [`status ${status} is not documented for ${operation.operationId}`];
    const problems: string[] = [];
    const type = contentType?.split(';')[0].trim().toLowerCase();
    if (declared.contentTypes.length === 0) {
      if (body !== undefined && body !== '') problems.push(`status ${status} of ${operation.operationId} has no body in the contract`);
    } else if (!type || !declared.contentTypes.includes(type)) {
      problems.push(`content type ${type} is not documented for ${status} of ${operation.operationId}`);
    } else if (!type.endsWith('json')) {
      // A binary body (application/pdf): bytes, not a JSON value; its schema says only `string`.
      if (!(body instanceof Uint8Array) || body.length === 0) problems.push(`the ${type} body of ${status} of ${operation.operationId} is not bytes`);
    } else if (body instanceof Uint8Array) {
      problems.push(`the ${type} body of ${status} of ${operation.operationId} is bytes, not JSON`);
    } else {
      const result = this.api.validator.validateResponse(body, operation.operationId, status);
      if (!result.valid) problems.push(...(result.errors ?? []).map((e) => `body${e.instancePath} ${e.message}`));
    }
    // openapi-backend's "superset" check treats every declared header as required; check the
    // contract's `required` ourselves and let it validate the values of those present.
    const present = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
    for (const name of declared.requiredHeaders) if (!present.has(name)) problems.push(`required header ${name} is missing`);
    const headerResult = this.api.validator.validateResponseHeaders(headers, operation.operationId, { statusCode: status, setMatchType: 'any' as any });
    if (!headerResult.valid) problems.push(...(headerResult.errors ?? []).map((e) => `headers${e.instancePath} ${e.message}`));
    return problems;
  }
}

/** The node of the operations for `segments[i…]`, collecting the parameters' raw values on the way. */
function findRoute(node: RouteNode, segments: string[], i: number, values: string[]): RouteNode | undefined {
  if (i === segments.length) return node.methods ? node : undefined;
  const segment = segments[i];
  const literal = node.literal.get(segment);
  if (literal) {
    const found = findRoute(literal, segments, i + 1, values);
    if (found) return found;
  }
  // A parameter is never empty: `/api-clients/` is not `/api-clients/{id}`.
  if (!segment) return undefined;
  for (const d of node.dynamic) {
    const caught = d.pattern ? d.pattern.exec(segment)?.slice(1) : [segment];
    if (!caught) continue;
    const mark = values.length;
    values.push(...caught);
    const found = findRoute(d.node, segments, i + 1, values);
    if (found) return found;
    values.length = mark;
  }
  return undefined;
}

function allowOf(methods: Map<string, OperationSpec>): string[] {
  const allow = [...methods.keys()];
  if (allow.includes('GET')) allow.push('HEAD');
  return allow.sort();
}

const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;
const NUMBER_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** Properties clients sometimes send back that only the server may set. */
const SERVER_OWNED = new Set(['id', 'tenant_id', 'version', 'created_at', 'updated_at', 'status', 'revoked_at', 'secret_rotated_at', 'client_secret']);

/** Enums listed in full up to this many values; longer ones (country codes) are shortened. */
const ENUM_LISTED = 12;

/** The branch of a nullable reference (`oneOf: [X, Null]`) failing, or the oneOf itself. */
const isNullBranch = (e: ErrorObject) => (e.keyword === 'type' && e.params.type === 'null') || (e.keyword === 'const' && e.params.allowedValue === null);
const isCombinator = (e: ErrorObject) => e.keyword === 'oneOf' || e.keyword === 'anyOf';

/**
 * With allErrors, a value that fails `oneOf: [X, Null]` is reported three times over: X's own
 * error, "must be null" and "must match exactly one schema in oneOf". Where a more specific
 * error names the same field (or one inside it), only that one is kept.
 */
function specific(errors: ErrorObject[]): ErrorObject[] {
  const within = (e: ErrorObject, other: ErrorObject) => other.instancePath === e.instancePath || other.instancePath.startsWith(`${e.instancePath}/`);
  const noise = (e: ErrorObject) => isNullBranch(e) || isCombinator(e);
  return errors.filter((e) => !noise(e) || !errors.some((other) => other !== e && !noise(other) && within(e, other)));
}

function toIssues(errors: ErrorObject[]): ValidationIssue[] {
  return specific(errors).map((e) => {
    // Request validators see { requestBody, path, query, header }: a pointer into the body
    // drops the `requestBody` prefix; parameters keep theirs (/query/limit).
    let pointer = e.instancePath.startsWith('/requestBody') ? e.instancePath.slice('/requestBody'.length) : e.instancePath;
    let detail = e.message ?? 'is not valid';
    if (e.keyword === 'required') {
      pointer = `${pointer}/${pointerToken(String(e.params.missingProperty))}`;
      detail = 'is required';
      if (pointer === '/requestBody') pointer = '';
    } else if (e.keyword === 'additionalProperties') {
      const name = String(e.params.additionalProperty);
      pointer = `${pointer}/${pointerToken(name)}`;
      detail = SERVER_OWNED.has(name) ? 'is set by the server and may not be sent' : 'is not a field of this request';
      if (e.instancePath === '/query') detail = 'is not a query parameter of this operation';
    } else if (e.keyword === 'enum') {
      const values = e.params.allowedValues as unknown[];
      detail = values.length <= ENUM_LISTED ? `must be one of: ${values.join(', ')}` : `must be one of the ${values.length} values the contract lists (${values.slice(0, 5).join(', ')}, …)`;
    }
    return { pointer, detail };
  });
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.pointer}\u0000${i.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A deep copy in which no object appears twice; a contract with a real cycle cannot be served. */
function unshared(dereferenced: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(dereferenced));
  } catch (err) {
    throw new Error(`the contract cannot be dereferenced into a tree (a schema refers to itself?): ${(err as Error).message}`);
  }
}

const isMissingIfMatch = (e: ErrorObject) => e.keyword === 'required' && e.instancePath === '/header' && e.params.missingProperty === 'if-match';

/**
 * The pipeline answers `428` to a request without `If-Match` where the contract declares it, so
 * the contract must say exactly that: If-Match `required`, and a `428` response. Either one
 * without the other would document what the server does not do.
 */
function checkIfMatch(operationId: string, params: { in: string; name: string; required?: boolean }[], responses: Record<string, unknown>): boolean {
  const ifMatch = params.find((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match');
  if (ifMatch && ifMatch.required !== true) throw new Error(`${operationId}: If-Match must be required: a request without it is answered 428`);
  if (Boolean(ifMatch) !== ('428' in responses)) throw new Error(`${operationId}: a required If-Match and a 428 response go together; the contract declares only one`);
  return Boolean(ifMatch);
}

/**
 * openapi-backend compiles one body validator per operation, from the `application/json`
 * schema (else the form one), and checks every body against it whatever its media type. A
 * second media type with another schema (or only `application/merge-patch+json`) would go
 * unchecked: refuse such a contract at boot instead.
 */
function checkOneBodySchema(operationId: string, content: Record<string, { schema?: unknown }>): void {
  const types = Object.keys(content);
  if (!types.length) return;
  const validated = ['application/json', 'multipart/form-data', 'application/x-www-form-urlencoded'].find((t) => t in content);
  if (!validated) throw new Error(`${operationId}: a request body of ${types.join(', ')} would not be validated; declare application/json with the same schema`);
  const schema = JSON.stringify(content[validated].schema);
  const other = types.filter((t) => JSON.stringify(content[t].schema) !== schema);
  if (other.length) throw new Error(`${operationId}: the request body schema of ${other.join(', ')} differs from that of ${validated}, which is the one validated`);
}
