import { Faker, en } from '@faker-js/faker';
import type { Database } from '../../../platform/db/database';
import type { RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import type { SeedOptions, SeedReport, Seeder } from '../../../platform/module';
import { Account, type AccountInput } from '../domain/account';
import { Activity, type ActivityInput } from '../domain/activity';
import { Contact, type ContactInput } from '../domain/contact';
import type { FieldObject, FieldType } from '../domain/custom-field';
import { AccountRepository } from '../infrastructure/account.repository';
import { ActivityRepository } from '../infrastructure/activity.repository';
import { ContactRepository } from '../infrastructure/contact.repository';
import { CustomFieldRepository } from '../infrastructure/custom-field.repository';
import { Opportunity } from '../domain/opportunity';
import { Pipeline, type StageInput } from '../domain/pipeline';
import { OpportunityRepository } from '../infrastructure/opportunity.repository';
import { PipelineRepository } from '../infrastructure/pipeline.repository';
import { refreshStatistics, seededContactsByAccount, seededIds } from '../infrastructure/seed-rows';
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
/** Contacts per demo account, and activities per demo contact. */
const CONTACTS_PER_ACCOUNT = 3;
export const DEMO_OPPORTUNITIES = 800;
/** Who moved the seeded opportunities through their stages, in their stage history. */
const SEED_ACTOR = 'cli_00000000000000000000000000';
const PIPELINES: { name: string; stages: StageInput[] }[] = [
  {
    name: 'New business',
    stages: [
      { name: 'Qualification', probability: 10, kind: 'open' },
      { name: 'Discovery', probability: 25, kind: 'open' },
      { name: 'Proposal', probability: 50, kind: 'open' },
      { name: 'Negotiation', probability: 75, kind: 'open' },
      { name: 'Closed won', probability: 100, kind: 'won' },
      { name: 'Closed lost', probability: 0, kind: 'lost' },
    ],
  },
  {
    name: 'Renewals',
    stages: [
      { name: 'Upcoming', probability: 60, kind: 'open' },
      { name: 'In negotiation', probability: 80, kind: 'open' },
      { name: 'Renewed', probability: 100, kind: 'won' },
      { name: 'Churned', probability: 0, kind: 'lost' },
    ],
  },
];
const LOST_REASONS = ['Chose a competitor', 'No budget this year', 'Project cancelled', 'Price too high', 'No decision'];
const ACTIVITIES_PER_CONTACT = 2;
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
  { object: 'contact', key: 'linkedin', label: 'LinkedIn profile', type: 'string' },
  { object: 'contact', key: 'newsletter', label: 'Newsletter opt-in', type: 'boolean' },
];
const TITLES = ['CEO', 'CFO', 'Head of Operations', 'Purchasing Manager', 'IT Director', 'Warehouse Lead', 'Office Manager', 'Controller', 'Sales Director', 'Logistics Coordinator'];
const SUBJECTS: Record<ActivityInput['kind'], string[]> = {
  note: ['Prefers email over calls', 'Budget approved for Q1', 'Evaluating two other vendors', 'Asked for references'],
  task: ['Send the revised quote', 'Follow up on the demo', 'Prepare the renewal offer', 'Book the onsite visit'],
  call: ['Discovery call', 'Pricing questions', 'Check-in call', 'Support escalation'],
  meeting: ['Product demo', 'Quarterly business review', 'Onsite workshop', 'Contract negotiation'],
};

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

/** Contact `c` (0-based, across the tenant) of the demo account it belongs to. */
function fakeContact(faker: Faker, c: number, account: { domain: string; ownerId: string | null }): { input: ContactInput; createdAt: Date } {
  const first = faker.person.firstName();
  const last = faker.person.lastName();
  const local = `${first}.${last}`.toLowerCase().normalize('NFKD').replace(/[^a-z0-9.]+/g, '');
  return {
    input: {
      firstName: first,
      lastName: last,
      // The index keeps two people of one name at one company two addresses.
      email: `${local}.${c + 1}@${account.domain}`,
      phones: faker.datatype.boolean(0.7) ? [`+1${faker.string.numeric({ length: 10, allowLeadingZeros: false })}`] : [],
      title: faker.helpers.arrayElement(TITLES),
      ownerId: account.ownerId,
      tags: faker.helpers.arrayElements(['decision-maker', 'champion', 'technical', 'billing'], { min: 0, max: 2 }),
      externalId: seq('con', c),
      customFields: { newsletter: faker.datatype.boolean(0.3), ...(faker.datatype.boolean(0.5) ? { linkedin: `https://www.linkedin.com/in/${local.replace(/\./g, '-')}` } : {}) },
    },
    createdAt: faker.date.past({ years: 1 }),
  };
}

function fakeActivity(faker: Faker, contactId: string, ownerId: string | null): { input: ActivityInput; createdAt: Date } {
  const kind = faker.helpers.weightedArrayElement<ActivityInput['kind']>([
    { weight: 3, value: 'note' },
    { weight: 3, value: 'task' },
    { weight: 3, value: 'call' },
    { weight: 1, value: 'meeting' },
  ]);
  const createdAt = faker.date.past({ years: 1 });
  const input: ActivityInput = { kind, subject: faker.helpers.arrayElement(SUBJECTS[kind]), body: faker.datatype.boolean(0.5) ? faker.lorem.sentences({ min: 1, max: 3 }) : null, ownerId, contactId };
  if (kind === 'task') {
    input.dueAt = faker.date.soon({ days: 60, refDate: createdAt });
    if (input.dueAt < TODAY && faker.datatype.boolean(0.7)) input.completedAt = input.dueAt;
  } else if (kind !== 'note') {
    input.occurredAt = createdAt;
    input.durationMinutes = faker.helpers.arrayElement([15, 30, 45, 60, 90]);
  }
  return { input, createdAt };
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
    const have = await seededIds(db, 'crm_accounts', tenantId, 'seed-acc-');
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
    if (added) await refreshStatistics(db, 'crm_accounts');
    bar.done();
    return added;
  }

  /**
   * The demo accounts' contacts, each with its activities in the same transaction: a contact that
   * exists has its activities, so a second run adds neither.
   */
  async function seedContacts(tenantId: string, accounts: number, options: SeedOptions): Promise<{ contacts: number; activities: number }> {
    const accountIds = await seededIds(db, 'crm_accounts', tenantId, 'seed-acc-');
    const have = await seededIds(db, 'crm_contacts', tenantId, 'seed-con-');
    const accountFaker = fakerFor(1);
    const contactFaker = fakerFor(2);
    const activityFaker = fakerFor(3);
    const total = accounts * CONTACTS_PER_ACCOUNT;
    const bar = options.progress('contacts', total);
    let contacts = 0;
    let activities = 0;
    const step = Math.floor(CHUNK / CONTACTS_PER_ACCOUNT);
    for (let start = 0; start < accounts; start += step) {
      const rules = await new CustomFieldRepository(db, tenantId).rulesFor('contact');
      const newContacts: Contact[] = [];
      const newActivities: Activity[] = [];
      for (let a = start; a < Math.min(start + step, accounts); a++) {
        const { input: account } = fakeAccount(accountFaker, a, 8, true);
        const accountId = accountIds.get(account.externalId!);
        for (let k = 0; k < CONTACTS_PER_ACCOUNT; k++) {
          const c = a * CONTACTS_PER_ACCOUNT + k;
          const { input, createdAt } = fakeContact(contactFaker, c, { domain: account.domain!, ownerId: account.ownerId ?? null });
          const made = Array.from({ length: ACTIVITIES_PER_CONTACT }, () => fakeActivity(activityFaker, '', input.ownerId ?? null));
          if (have.has(input.externalId!) || !accountId) continue;
          const contact = Contact.create(tenantId, { ...input, accountId }, rules, createdAt);
          newContacts.push(contact);
          for (const { input: activity, createdAt: at } of made) newActivities.push(Activity.record(tenantId, { ...activity, contactId: contact.snapshot.id }, at));
        }
      }
      if (newContacts.length) {
        await runInUnitOfWork(tenantId, async (uow) => {
          await ContactRepository.in(uow).bulkAdd(newContacts);
          await ActivityRepository.in(uow).bulkAdd(newActivities);
        });
      }
      contacts += newContacts.length;
      activities += newActivities.length;
      bar.tick(Math.min(step, accounts - start) * CONTACTS_PER_ACCOUNT);
    }
    bar.done();
    return { contacts, activities };
  }

  /**
   * Two pipelines and the demo opportunities, each walked through its stages over weeks (so its
   * stage history and timeline read like a real deal's), all in one transaction with the
   * pipelines: a tenant that has the pipelines has the opportunities.
   */
  async function seedPipelines(tenantId: string, options: SeedOptions): Promise<{ pipelines: number; opportunities: number }> {
    const existing = await new PipelineRepository(db, tenantId).list({ filters: {}, sort: 'created_at', limit: 200 });
    if (existing.items.some((p) => p.name === PIPELINES[0].name)) return { pipelines: 0, opportunities: 0 };
    const accountIds = await seededIds(db, 'crm_accounts', tenantId, 'seed-acc-');
    const contactsOf = await seededContactsByAccount(db, tenantId);
    const accounts = [...accountIds.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, id]) => id);
    if (!accounts.length) return { pipelines: 0, opportunities: 0 };
    const faker = fakerFor(4);
    const bar = options.progress('opportunities', DEMO_OPPORTUNITIES);
    const rules = await new CustomFieldRepository(db, tenantId).rulesFor('opportunity');
    await runInUnitOfWork(tenantId, async (uow) => {
      const pipelines = PIPELINES.map((p) => Pipeline.create(tenantId, p, new Date(TODAY.getTime() - 730 * 86_400_000)));
      for (const p of pipelines) await PipelineRepository.in(uow).add(p);
      const repo = OpportunityRepository.in(uow);
      for (let i = 0; i < DEMO_OPPORTUNITIES; i++) {
        const pipeline = pipelines[i % 4 === 3 ? 1 : 0];
        const accountId = accounts[faker.number.int({ min: 0, max: accounts.length - 1 })];
        const opened = faker.date.past({ years: 1 });
        const open = pipeline.snapshot.stages.filter((st) => st.kind === 'open');
        const opportunity = Opportunity.open(
          tenantId,
          pipeline.id,
          open[0],
          {
            name: `${faker.commerce.productAdjective()} ${faker.commerce.product()} ${pipeline === pipelines[1] ? 'renewal' : 'deal'}`,
            accountId,
            primaryContactId: faker.helpers.arrayElement(contactsOf.get(accountId) ?? [null]),
            amount: faker.datatype.boolean(0.9) ? { amount: faker.number.int({ min: 20, max: 5000 }) * 10_000, currency: faker.helpers.weightedArrayElement([{ weight: 6, value: 'EUR' }, { weight: 3, value: 'USD' }, { weight: 1, value: 'GBP' }]) } : null,
            expectedCloseDate: faker.date.soon({ days: 180, refDate: opened }).toISOString().slice(0, 10),
            ownerId: `user-${String(faker.number.int({ min: 1, max: 8 })).padStart(3, '0')}`,
            tags: faker.helpers.arrayElements(['inbound', 'outbound', 'partner', 'upsell'], { min: 0, max: 2 }),
          },
          rules,
          SEED_ACTOR,
          opened,
        );
        // Walk forward a few stages, a week or three apart; then maybe close it.
        let at = opened;
        const later = () => (at = new Date(Math.min(TODAY.getTime(), at.getTime() + faker.number.int({ min: 3, max: 21 }) * 86_400_000)));
        const steps = faker.number.int({ min: 0, max: open.length - 1 });
        for (let k = 1; k <= steps; k++) opportunity.move(open[k], SEED_ACTOR, later());
        const end = faker.helpers.weightedArrayElement([{ weight: 5, value: 'open' }, { weight: 3, value: 'won' }, { weight: 2, value: 'lost' }]);
        if (end === 'won') opportunity.win(pipeline.wonStage, SEED_ACTOR, later());
        if (end === 'lost') opportunity.lose(pipeline.lostStage, faker.helpers.arrayElement(LOST_REASONS), SEED_ACTOR, later());
        opportunity.pullEvents();
        await repo.add(opportunity);
        bar.tick();
      }
    });
    await refreshStatistics(db, 'crm_opportunities');
    bar.done();
    return { pipelines: PIPELINES.length, opportunities: DEMO_OPPORTUNITIES };
  }

  return async (tenantId, options): Promise<SeedReport> => {
    if (options.profile === 'bench') {
      return { accounts: await seedAccounts(tenantId, options.accounts ?? BENCH_ACCOUNTS, BENCH_OWNERS, false, options) };
    }
    const fields = await defineFields(tenantId);
    const accounts = await seedAccounts(tenantId, DEMO_ACCOUNTS, 8, true, options);
    const people = await seedContacts(tenantId, DEMO_ACCOUNTS, options);
    return { custom_fields: fields, accounts, ...people, ...(await seedPipelines(tenantId, options)) };
  };
}
