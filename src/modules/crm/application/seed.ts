import { Faker, en } from '@faker-js/faker';
import type { Database } from '../../../platform/db/database';
import type { RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import type { SeedOptions, SeedReport, Seeder } from '../../../platform/module';
import { Account, type AccountInput } from '../domain/account';
import type { FieldObject, FieldType } from '../domain/custom-field';
import { AccountRepository } from '../infrastructure/account.repository';
import { CustomFieldRepository } from '../infrastructure/custom-field.repository';
import type { CustomFieldUseCases } from './custom-fields';

/**
 * The CRM's demo and bench data: realistic, made with faker from fixed seeds and a fixed "today",
 * so every run makes the same records; each carries an external id (`seed-acc-000001`), and a
 * run adds only those the tenant does not have yet. Records are checked by the domain like any
 * other, then written in bulk (a few thousand per transaction) and publish no events: a seed
 * fills a tenant, nobody is waiting for it to happen.
 */

const TODAY = new Date('2026-12-01T00:00:00.000Z');
const CHUNK = 1000;
export const DEMO_ACCOUNTS = 500;
export const BENCH_ACCOUNTS = 100_000;
/** Owners of the bench tenant's accounts: the filtered list reads one owner's 2,000. */
export const BENCH_OWNERS = 50;

const INDUSTRIES = ['Manufacturing', 'Wholesale', 'Retail', 'Logistics', 'Software', 'Healthcare', 'Construction', 'Energy', 'Food & Beverage', 'Financial Services', 'Education', 'Hospitality'];
const TAGS = ['key-account', 'partner', 'prospect', 'churn-risk', 'enterprise', 'smb', 'reseller', 'public-sector'];
const COUNTRIES = ['DE', 'US', 'GB', 'FR', 'NL', 'SE', 'ES', 'IT', 'CA', 'AU', 'AT', 'CH'];
const DIALING: Record<string, string> = { DE: '49', US: '1', GB: '44', FR: '33', NL: '31', SE: '46', ES: '34', IT: '39', CA: '1', AU: '61', AT: '43', CH: '41' };

/** The tenant's custom fields the seed defines (when missing) and fills. */
const FIELDS: { object: FieldObject; key: string; label: string; type: FieldType; options?: string[]; description?: string }[] = [
  { object: 'account', key: 'tier', label: 'Customer tier', type: 'enum', options: ['bronze', 'silver', 'gold', 'platinum'] },
  { object: 'account', key: 'seats', label: 'Licensed seats', type: 'number', description: "Seats in the customer's current contract." },
  { object: 'account', key: 'renewal_date', label: 'Renewal date', type: 'date' },
  { object: 'account', key: 'self_serve', label: 'Self-serve', type: 'boolean' },
];

const seq = (prefix: string, i: number) => `seed-${prefix}-${String(i + 1).padStart(7, '0')}`;
const slug = (name: string) => name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'company';

function fakerFor(seed: number): Faker {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  faker.setDefaultRefDate(TODAY);
  return faker;
}

/** One account's fields and when it was created; deterministic for (faker, i). */
function fakeAccount(faker: Faker, i: number, owners: number, withCustomFields: boolean): { input: AccountInput; createdAt: Date } {
  const name = faker.company.name();
  // Unique by construction: the index makes two companies of one name two domains.
  const domain = `${slug(name)}-${i + 1}.example`;
  const country = faker.helpers.arrayElement(COUNTRIES);
  const address = { line1: faker.location.streetAddress(), line2: null, city: faker.location.city(), region: null, postalCode: faker.location.zipCode(), country };
  const input: AccountInput = {
    name,
    domain,
    industry: faker.helpers.arrayElement(INDUSTRIES),
    website: `https://www.${domain}`,
    phone: `+${DIALING[country]}${faker.string.numeric({ length: 9, allowLeadingZeros: false })}`,
    billingAddress: address,
    shippingAddress: faker.datatype.boolean(0.3) ? { ...address, line1: faker.location.streetAddress() } : null,
    ownerId: `user-${String(faker.number.int({ min: 1, max: owners })).padStart(3, '0')}`,
    tags: faker.helpers.arrayElements(TAGS, { min: 0, max: 3 }),
    externalId: seq('acc', i),
    customFields: withCustomFields
      ? {
          tier: faker.helpers.weightedArrayElement([
            { weight: 5, value: 'bronze' },
            { weight: 3, value: 'silver' },
            { weight: 2, value: 'gold' },
            { weight: 1, value: 'platinum' },
          ]),
          seats: faker.number.int({ min: 5, max: 5000 }),
          renewal_date: faker.date.soon({ days: 730 }).toISOString().slice(0, 10),
          self_serve: faker.datatype.boolean(0.4),
        }
      : {},
  };
  return { input, createdAt: faker.date.past({ years: 2 }) };
}

export function crmSeeder(db: Database, runInUnitOfWork: RunInUnitOfWork, customFields: CustomFieldUseCases): Seeder {
  async function defineFields(tenantId: string): Promise<number> {
    let added = 0;
    const existing = new Set((await customFields.all(tenantId)).map((f) => `${f.object}.${f.key}`));
    for (const f of FIELDS.filter((f) => !existing.has(`${f.object}.${f.key}`))) {
      await customFields.create(tenantId, { ...f, description: f.description ?? null, required: false });
      added += 1;
    }
    return added;
  }

  async function seedAccounts(tenantId: string, count: number, owners: number, withCustomFields: boolean, options: SeedOptions): Promise<number> {
    const have = await new AccountRepository(db, tenantId).externalIdsStartingWith('seed-acc-');
    const bar = options.progress('accounts', count);
    const faker = fakerFor(1);
    let added = 0;
    for (let start = 0; start < count; start += CHUNK) {
      const rules = await new CustomFieldRepository(db, tenantId).rulesFor('account');
      const accounts: Account[] = [];
      for (let i = start; i < Math.min(start + CHUNK, count); i++) {
        // Made even when present, so that every later record comes out the same.
        const { input, createdAt } = fakeAccount(faker, i, owners, withCustomFields);
        if (!have.has(input.externalId!)) accounts.push(Account.create(tenantId, input, rules, createdAt));
      }
      if (accounts.length) await runInUnitOfWork(tenantId, (uow) => AccountRepository.in(uow).bulkAdd(accounts));
      added += accounts.length;
      bar.tick(Math.min(CHUNK, count - start));
    }
    if (added) await new AccountRepository(db, tenantId).refreshStatistics();
    bar.done();
    return added;
  }

  return async (tenantId, options): Promise<SeedReport> => {
    if (options.profile === 'bench') {
      return { accounts: await seedAccounts(tenantId, options.accounts ?? BENCH_ACCOUNTS, BENCH_OWNERS, false, options) };
    }
    const fields = await defineFields(tenantId);
    return { custom_fields: fields, accounts: await seedAccounts(tenantId, DEMO_ACCOUNTS, 8, true, options) };
  };
}
