import type { Database } from '../../../platform/db/database';
import { NotFoundError } from '../../../platform/errors';
import { TimelineRepository, type TimelineItem, type TimelinePosition, type TimelineSubject } from '../infrastructure/timeline.repository';

/** Whether the subject of a timeline is a record of the tenant. */
export type SubjectCheck = (tenantId: string, subject: TimelineSubject) => Promise<boolean>;

export function timelineUseCases(db: Database, exists: SubjectCheck) {
  return {
    /** A page of the subject's timeline, newest first; a subject that is not the tenant's is a 404. */
    async page(tenantId: string, subject: TimelineSubject, limit: number, after?: TimelinePosition): Promise<{ items: TimelineItem[]; next: TimelinePosition | null }> {
      if (!(await exists(tenantId, subject))) {
        const [kind, id] = Object.entries(subject)[0];
        throw new NotFoundError(`There is no ${kind} ${id}.`);
      }
      return new TimelineRepository(db, tenantId).read(subject, limit, after);
    },
  };
}

export type TimelineUseCases = ReturnType<typeof timelineUseCases>;
