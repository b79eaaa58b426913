import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { maybeDate } from '../../../platform/db/rows';
import { PERIOD_STATUSES, type PeriodState, type PeriodStatus } from '../domain/period';

interface PeriodRow {
  id: string;
  status: string;
  locked_at: Date | string | null;
  version: number;
}

const toState = (r: PeriodRow): PeriodState => ({ period: r.id.trim(), status: r.status as PeriodStatus, lockedAt: maybeDate(r.locked_at), version: Number(r.version) });

/** The periods touched (posted to or locked), by month (migrations/20261209100000-erp-ledger.ts). */
export const PERIOD_LIST = defineList({
  name: 'erp.periods',
  table: 'erp_periods',
  select: 'id, status, locked_at, version',
  // The period is the row's id (2026-12): its sort column, declared for the sort.
  columns: { id: { type: 'text' }, status: { type: 'text' } },
  filters: { status: { kind: 'equals', column: 'status', values: PERIOD_STATUSES } },
  sorts: ['period'],
  sortColumns: { period: 'id' },
  defaultSort: '-period',
});

/**
 * The tenant's monthly periods. A post holds its period's row FOR SHARE (made open first if the
 * month was never touched) and a lock writes the row, so on PostgreSQL a lock waits for the posts
 * in flight and every post after it reads it locked. SQLite's transactions take turns.
 */
export class PeriodRepository extends TenantRepository {
  /** The period's status for a post, the row held until the commit. */
  async holdForPosting(period: string): Promise<PeriodStatus> {
    await this.execute(`INSERT INTO erp_periods (tenant_id, id, status, locked_at, version, updated_at) VALUES (:tenantId, :period, 'open', NULL, 1, :now) ON CONFLICT (tenant_id, id) DO NOTHING`, {
      period,
      now: new Date(),
    });
    const row = await this.select<PeriodRow>(`SELECT id, status, locked_at, version FROM erp_periods WHERE tenant_id = :tenantId AND id = :period${this.lock('share')}`, { period });
    return row[0].status as PeriodStatus;
  }

  /**
   * Locks the period (making its row), waiting on PostgreSQL for the posts that hold it; undefined
   * when it was locked already (a racing lock included).
   */
  async lockPeriod(period: string, now = new Date()): Promise<PeriodState | undefined> {
    const [row] = await this.execute<PeriodRow>(
      `INSERT INTO erp_periods (tenant_id, id, status, locked_at, version, updated_at) VALUES (:tenantId, :period, 'locked', :now, 2, :now)
       ON CONFLICT (tenant_id, id) DO UPDATE SET status = 'locked', locked_at = :now, version = erp_periods.version + 1, updated_at = :now WHERE erp_periods.status = 'open'
       RETURNING id, status, locked_at, version`,
      { period, now },
    );
    return row && toState(row);
  }

  /** Opens a locked period again; undefined when it was not locked. */
  async unlockPeriod(period: string, now = new Date()): Promise<PeriodState | undefined> {
    const [row] = await this.execute<PeriodRow>(
      `UPDATE erp_periods SET status = 'open', locked_at = NULL, version = version + 1, updated_at = :now WHERE tenant_id = :tenantId AND id = :period AND status = 'locked' RETURNING id, status, locked_at, version`,
      { period, now },
    );
    return row && toState(row);
  }

  /** The period's state, its row (when there is one) locked FOR UPDATE inside a unit of work on PostgreSQL. */
  async lockedState(period: string): Promise<PeriodState> {
    const row = await this.lockingSelectOne<PeriodRow>('SELECT id, status, locked_at, version FROM erp_periods WHERE tenant_id = :tenantId AND id = :period', { period });
    return row ? toState(row) : { period, status: 'open', lockedAt: null, version: 1 };
  }

  async state(period: string): Promise<PeriodState> {
    const row = await this.selectOne<PeriodRow>('SELECT id, status, locked_at, version FROM erp_periods WHERE tenant_id = :tenantId AND id = :period', { period });
    return row ? toState(row) : { period, status: 'open', lockedAt: null, version: 1 };
  }

  list(request: ListRequest): Promise<ListPage<PeriodState>> {
    return this.page(PERIOD_LIST, request, toState);
  }
}
