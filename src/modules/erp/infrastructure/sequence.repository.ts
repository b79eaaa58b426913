import { TenantRepository } from '../../../platform/db/repository';

/**
 * The tenant's gapless counters (erp_sequences): one row per series (JE, SO, PO, INV, BILL) and
 * year, used by the journal, the orders and the invoices and bills.
 */
export class SequenceRepository extends TenantRepository {
  /**
   * The next number of `series` in `year` for the tenant: the counter row is bumped in place, so
   * concurrent takers queue on it (PostgreSQL holds the row lock to the commit) and a rollback
   * takes the number back.
   */
  async next(series: string, year: number): Promise<number> {
    const [row] = await this.execute<{ last: number | string }>(
      `INSERT INTO erp_sequences (tenant_id, series, year, last) VALUES (:tenantId, :series, :year, 1)
       ON CONFLICT (tenant_id, series, year) DO UPDATE SET last = erp_sequences.last + 1
       RETURNING last`,
      { series, year },
    );
    return Number(row.last);
  }
}
