import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import { Activity, type ActivityInput, type ActivityPatch, type ActivityState } from '../domain/activity';
import { ActivityRepository } from '../infrastructure/activity.repository';

/** Whether a record of the tenant exists, read in the unit of work that attaches to it. */
export type RecordCheck = (uow: UnitOfWork, id: string) => Promise<boolean>;

export interface ActivityDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  exists: { account: RecordCheck; contact: RecordCheck; opportunity: RecordCheck };
}

async function load(repo: ActivityRepository, id: string): Promise<Activity> {
  const activity = await repo.get(id);
  if (!activity) throw new NotFoundError(`There is no activity ${id}.`);
  return activity;
}

export function activityUseCases({ db, runInUnitOfWork, exists }: ActivityDeps) {
  /** The record an activity is attached to must be the tenant's: else a 400 naming its field. */
  async function checkAttachment(uow: UnitOfWork, s: Readonly<ActivityState>): Promise<void> {
    const [kind, pointer, id] = s.accountId ? (['account', '/account_id', s.accountId] as const) : s.contactId ? (['contact', '/contact_id', s.contactId] as const) : (['opportunity', '/opportunity_id', s.opportunityId!] as const);
    if (!(await exists[kind](uow, id))) throw new InvalidInputError([{ pointer, detail: `is not ${kind === 'opportunity' ? 'an' : 'a'} ${kind} of this tenant (there is no ${kind} ${id})` }]);
  }

  const change = (tenantId: string, id: string, expected: ExpectedVersion, apply: (a: Activity) => void, claim?: IdempotencyClaim) =>
    runInUnitOfWork(
      tenantId,
      async (uow) => {
        const repo = ActivityRepository.in(uow);
        const activity = await load(repo, id);
        checkExpectedVersion(`activity ${id}`, activity.version, expected);
        const loaded = activity.version;
        apply(activity);
        if (activity.version !== loaded) await repo.save(activity, loaded);
        return activity.snapshot;
      },
      claim,
    );

  return {
    create(tenantId: string, input: ActivityInput, claim?: IdempotencyClaim): Promise<ActivityState> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const activity = Activity.record(tenantId, input);
          await checkAttachment(uow, activity.snapshot);
          await ActivityRepository.in(uow).add(activity);
          return activity.snapshot;
        },
        claim,
      );
    },

    get(tenantId: string, id: string): Promise<ActivityState> {
      return new ActivityRepository(db, tenantId).state(id).then((s) => {
        if (!s) throw new NotFoundError(`There is no activity ${id}.`);
        return s;
      });
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<ActivityState>> {
      return new ActivityRepository(db, tenantId).list(request);
    },

    update(tenantId: string, id: string, expected: ExpectedVersion, patch: ActivityPatch): Promise<ActivityState> {
      return change(tenantId, id, expected, (a) => a.change(patch));
    },

    complete(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<ActivityState> {
      return change(tenantId, id, expected, (a) => a.complete(), claim);
    },

    delete(tenantId: string, id: string, expected: ExpectedVersion): Promise<void> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = ActivityRepository.in(uow);
        const activity = await load(repo, id);
        checkExpectedVersion(`activity ${id}`, activity.version, expected);
        await repo.delete(activity, activity.version);
      });
    },
  };
}

export type ActivityUseCases = ReturnType<typeof activityUseCases>;
