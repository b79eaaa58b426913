import type { Database } from '../../../platform/db/database';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, type ExpectedVersion, NotFoundError } from '../../../platform/errors';
import { generateSecret, type SecretHasher } from '../../../platform/auth/secrets';
import type { ApiKeyVerifier, Principal } from '../../../platform/auth/principal';
import type { FailedAttempts } from '../../../platform/ratelimit/failed-attempts';
import { ApiClient, isApiClientId, type ApiClientChanges, type ApiClientState } from '../domain/api-client';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import { ApiClientRepository } from '../infrastructure/api-client.repository';

export interface ApiClientDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  secrets: SecretHasher;
}


function load(repo: ApiClientRepository, id: string): Promise<ApiClient> {
  return repo.get(id).then((client) => {
    if (!client) throw new NotFoundError(`There is no API client ${id}.`);
    return client;
  });
}

export function apiClientUseCases({ db, runInUnitOfWork, secrets }: ApiClientDeps) {
  /** Changes one client under If-Match: load, check the version, apply, save against it. */
  const changeClient = (tenantId: string, id: string, expected: ExpectedVersion, apply: (client: ApiClient) => Promise<void> | void, claim?: IdempotencyClaim) =>
    runInUnitOfWork(tenantId, async (uow) => {
      const repo = ApiClientRepository.in(uow);
      const client = await load(repo, id);
      checkExpectedVersion(`API client ${client.id}`, client.version, expected);
      const loaded = client.version;
      await apply(client);
      if (client.version !== loaded) await repo.save(client, loaded);
      return client.snapshot;
    }, claim);

  return {
    async create(tenantId: string, input: { name: string; description?: string | null; scopes: string[] }, claim?: IdempotencyClaim): Promise<{ client: ApiClientState; secret: string }> {
      const secret = generateSecret();
      const secretHash = await secrets.hash(secret);
      const client = await runInUnitOfWork(tenantId, async (uow) => {
        const created = ApiClient.register({ tenantId, name: input.name, description: input.description ?? null, scopes: input.scopes, secretHash });
        await ApiClientRepository.in(uow).add(created);
        return created.snapshot;
      }, claim);
      return { client, secret };
    },

    get(tenantId: string, id: string): Promise<ApiClientState> {
      return load(new ApiClientRepository(db, tenantId), id).then((client) => client.snapshot);
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<ApiClientState>> {
      return new ApiClientRepository(db, tenantId).list(request);
    },

    update(tenantId: string, id: string, expected: ExpectedVersion, changes: ApiClientChanges, by: Principal): Promise<ApiClientState> {
      return changeClient(tenantId, id, expected, (client) => client.change(changes, by.clientId));
    },

    revoke(tenantId: string, id: string, expected: ExpectedVersion, by: Principal, claim?: IdempotencyClaim): Promise<ApiClientState> {
      return changeClient(tenantId, id, expected, (client) => client.revoke(by.clientId), claim);
    },

    async rotateSecret(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<{ client: ApiClientState; secret: string }> {
      const secret = generateSecret();
      const secretHash = await secrets.hash(secret);
      const client = await changeClient(tenantId, id, expected, (c) => c.rotateSecret(secretHash), claim);
      return { client, secret };
    },
  };
}

export type ApiClientUseCases = ReturnType<typeof apiClientUseCases>;

/**
 * Verifies `<client_id>.<secret>` API keys. The client is read on every call, so a revocation or
 * rotation takes effect at once in every process; only the slow scrypt check is remembered (by
 * the SecretHasher, with the stored hash it matched).
 */
/**
 * API keys are client secrets too: failed checks count against the client id and the address,
 * with the token endpoint's limits, or `X-API-Key` would be the way to guess a secret at full
 * speed. A key this process has verified before is no guess: it skips the count (and its read).
 */
export function apiKeyVerifier(db: Database, secrets: SecretHasher, failures: FailedAttempts): ApiKeyVerifier {
  const check = async (clientId: string, secret: string): Promise<Principal | null> => {
    const client = await ApiClientRepository.findForCredentials(db, clientId);
    if (!client || client.snapshot.status !== 'active') return secrets.failCheck(clientId, secret).then(() => null);
    const { secretHash, tenantId, scopes } = client.snapshot;
    if (!(await secrets.verify(clientId, secret, secretHash))) return null;
    return { tenantId, clientId, scopes: new Set(scopes), via: 'api_key' };
  };
  return async (clientId, secret, address) => {
    // No client has such an id: nothing to guess, no scrypt spent.
    if (!isApiClientId(clientId) || secret.length > 200) return null;
    secrets.admit(clientId, secret);
    if (secrets.remembers(clientId, secret)) return check(clientId, secret);
    const attempt = await failures.begin({ clientId, address });
    if (attempt.refusedBy) return { retryAfterSeconds: attempt.retryAfterSeconds, refusedBy: attempt.refusedBy };
    let principal: Principal | null;
    try {
      principal = await check(clientId, secret);
    } catch (err) {
      attempt.done();
      throw err;
    }
    if (principal) attempt.done();
    else await attempt.failed();
    return principal;
  };
}
