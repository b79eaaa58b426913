import type { Database } from '../../../platform/db/database';
import type { RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { ConflictError, NotFoundError } from '../../../platform/errors';
import { generateSecret, type SecretHasher } from '../../../platform/auth/secrets';
import { ApiClient, type ApiClientState } from '../domain/api-client';
import { ALL_SCOPES, newTenant, type Tenant } from '../domain/tenant';
import { ApiClientRepository } from '../infrastructure/api-client.repository';
import { TenantRepository } from '../infrastructure/tenant.repository';

export interface NewTenant {
  tenant: Tenant;
  adminClient: ApiClientState;
  secret: string;
}

export function tenantUseCases(db: Database, runInUnitOfWork: RunInUnitOfWork, secrets: SecretHasher) {
  const tenants = new TenantRepository(db);
  return {
    /** A tenant with an admin client that holds every scope; the secret is returned once. */
    async create(name: string): Promise<NewTenant> {
      const tenant = newTenant(name);
      const secret = generateSecret();
      const secretHash = await secrets.hash(secret);
      const adminClient = await runInUnitOfWork(tenant.id, async (uow) => {
        if (await tenants.findByName(name, uow.transaction)) throw new ConflictError(`A tenant named ${name} exists already.`);
        await tenants.add(tenant, uow.transaction);
        const client = ApiClient.register({ tenantId: tenant.id, name: 'admin', description: `Created with the tenant ${name}.`, scopes: [...ALL_SCOPES], secretHash });
        await ApiClientRepository.in(uow).add(client);
        return client.snapshot;
      });
      return { tenant, adminClient, secret };
    },

    async get(id: string): Promise<Tenant> {
      const tenant = await tenants.get(id);
      if (!tenant) throw new NotFoundError(`There is no tenant ${id}.`);
      return tenant;
    },

    /** The tenant of that name, or null (the seed finds `demo` and `bench` by name). */
    findByName(name: string): Promise<Tenant | null> {
      return tenants.findByName(name);
    },

    async isEmpty(): Promise<boolean> {
      return (await tenants.count()) === 0;
    },
  };
}

export type TenantUseCases = ReturnType<typeof tenantUseCases>;
