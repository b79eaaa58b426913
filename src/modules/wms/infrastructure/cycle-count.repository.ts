import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date, json, maybeDate } from '../../../platform/db/rows';
import { CycleCount, type CycleCountLine, type CycleCountState, type CycleCountStatus } from '../domain/cycle-count';

interface CycleCountRow {
  id: string;
  tenant_id: string;
  location_id: string;
  status: string;
  lines: unknown;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  posted_at: Date | string | null;
}

const COLUMNS = 'id, tenant_id, location_id, status, lines, version, created_at, updated_at, posted_at';

/** A stored count (lines stored before serial counts read with their serial fields empty). */
function toState(r: CycleCountRow): CycleCountState {
  return CycleCount.restore({
    id: r.id,
    tenantId: r.tenant_id,
    locationId: r.location_id,
    status: r.status as CycleCountStatus,
    lines: json<CycleCountLine[]>(r.lines),
    version: Number(r.version),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
    postedAt: maybeDate(r.posted_at),
  }).snapshot;
}

export const CYCLE_COUNT_LIST = defineList({
  name: 'wms.cycle-counts',
  table: 'wms_cycle_counts',
  select: COLUMNS,
  columns: { location_id: { type: 'text' }, status: { type: 'text' }, created_at: { type: 'instant' } },
  filters: {
    location_id: { kind: 'equals', column: 'location_id' },
    status: { kind: 'equals', column: 'status', values: ['draft', 'posted', 'cancelled'] },
  },
  sorts: ['created_at'],
  defaultSort: '-created_at',
});

export class CycleCountRepository extends TenantRepository {
  async state(id: string): Promise<CycleCountState | undefined> {
    const row = await this.selectOne<CycleCountRow>(`SELECT ${COLUMNS} FROM wms_cycle_counts WHERE tenant_id = :tenantId AND id = :id`, { id });
    return row && toState(row);
  }

  async get(id: string): Promise<CycleCount | undefined> {
    const row = await this.lockingSelectOne<CycleCountRow>(`SELECT ${COLUMNS} FROM wms_cycle_counts WHERE tenant_id = :tenantId AND id = :id`, { id });
    return row && CycleCount.restore(toState(row));
  }

  async add(c: CycleCount): Promise<void> {
    const s = c.snapshot;
    await this.execute(`INSERT INTO wms_cycle_counts (${COLUMNS}) VALUES (:id, :tenantId, :locationId, :status, :lines, :version, :createdAt, :updatedAt, :postedAt)`, params(s));
  }

  async save(c: CycleCount, loadedVersion: number): Promise<void> {
    const s = c.snapshot;
    await this.execute('UPDATE wms_cycle_counts SET status = :status, lines = :lines, version = :version, updated_at = :updatedAt, posted_at = :postedAt WHERE tenant_id = :tenantId AND id = :id AND version = :loaded', {
      ...params(s),
      loaded: loadedVersion,
    });
  }

  list(request: ListRequest): Promise<ListPage<CycleCountState>> {
    return this.page(CYCLE_COUNT_LIST, request, toState);
  }
}

function params(s: CycleCountState) {
  return { id: s.id, locationId: s.locationId, status: s.status, lines: JSON.stringify(s.lines), version: s.version, createdAt: s.createdAt, updatedAt: s.updatedAt, postedAt: s.postedAt };
}
