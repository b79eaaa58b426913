import { createHash, hkdfSync } from 'node:crypto';
import { Op, type Transaction, UniqueConstraintError } from 'sequelize';
import { Column, DataType, Model, Table } from 'sequelize-typescript';
import { seal, unseal } from '../auth/keyring';
import type { IdempotencyClaim } from '../db/unit-of-work';
import { ConflictError } from '../errors';

@Table({ tableName: 'idempotency_keys', timestamps: false, underscored: true })
export class IdempotencyKeyModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare tenant_id: string;
  /** keyHash(tenant_id, Idempotency-Key): the raw key is never stored. */
  @Column({ type: DataType.STRING(64), primaryKey: true }) declare key_hash: string;
  @Column({ type: DataType.STRING(64), allowNull: false }) declare request_hash: string;
  @Column({ type: DataType.STRING(10), allowNull: false }) declare state: 'pending' | 'committed' | 'done';
  @Column({ type: DataType.INTEGER, allowNull: true }) declare response_status: number | null;
  @Column({ type: DataType.TEXT, allowNull: true }) declare response: string | null;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare locked_until: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare expires_at: Date;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Claim =
  /** `token` identifies this claim: completing or releasing touches only the row it made. */
  | { kind: 'claimed'; token: Date }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'reused' }
  | { kind: 'in_progress' }
  /**
   * Stored under another master secret (STRATUM_SECRET changed), or before keys were hashed: it
   * cannot be replayed, nor safely run again.
   */
  | { kind: 'unreadable' }
  /** The first request's change committed but its answer was never stored: it must not run again. */
  | { kind: 'lost' };

/** The request's claim was taken over by a retry (it ran past the claim's lock): it must not commit. */
export class ClaimLostError extends ConflictError {}

const RETENTION_MS = 24 * 60 * 60 * 1000;
/** A claim whose request has not finished by then is taken to have died with its process. */
const LOCK_MS = 60_000;

/**
 * What a row stores instead of the raw Idempotency-Key: SHA-256 of the tenant and the key. It
 * must not depend on the master secret: after a change of STRATUM_SECRET a retry has to find
 * its row (and hear `unreadable`), not run its request a second time. A hash keyed with the
 * master secret would add nothing against a copy of the database: by default the master secret
 * is in it, and where STRATUM_SECRET keeps it out, the copy decrypts nothing anyway.
 */
export function keyHash(tenantId: string, key: string): string {
  return createHash('sha256').update(JSON.stringify(['stratum:idempotency-key', tenantId, key])).digest('hex');
}

/**
 * The key a stored response is encrypted with: HKDF-SHA256 of the data key (from the master
 * secret), salted with the raw Idempotency-Key, which only the caller has, for this tenant. So
 * a copy of the database, master secret included, does not decrypt what it holds (the
 * client_secret of a creation or rotation): that takes the key the caller sent. This holds as
 * far as the key cannot be guessed (keyHash lets a copy test guesses): a UUID can't be.
 */
export function responseKey(dataKey: Buffer, tenantId: string, key: string): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.from(key, 'utf8'), `stratum:idempotent-response:${tenantId}`, 32));
}

/**
 * Idempotency keys live in the database, so they hold across every process sharing it. A key is
 * claimed by inserting its row: the primary key (tenant, keyHash) makes exactly one of several
 * concurrent requests the owner. Stored responses are encrypted (they may hold a secret shown
 * once) under responseKey: only a caller who sends the key again can read its answer.
 */
export class IdempotencyStore {
  /** `dataKey`: the keyring's, derived from the master secret; each response's key is derived from it. */
  constructor(private readonly dataKey: Buffer) {}

  async claim(tenantId: string, key: string, requestHash: string): Promise<Claim> {
    const hash = keyHash(tenantId, key);
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date();
      try {
        await IdempotencyKeyModel.create({
          tenant_id: tenantId,
          key_hash: hash,
          request_hash: requestHash,
          state: 'pending',
          created_at: now,
          locked_until: new Date(now.getTime() + LOCK_MS),
          expires_at: new Date(now.getTime() + RETENTION_MS),
        });
        return { kind: 'claimed', token: now };
      } catch (err) {
        if (!(err instanceof UniqueConstraintError)) throw err;
      }
      const row = await IdempotencyKeyModel.findOne({ where: { tenant_id: tenantId, key_hash: hash }, raw: true });
      if (!row) continue; // released in between: try to claim again
      const expired = new Date(row.expires_at) <= now;
      // Only a claim whose change never committed may be run again; a committed one never is.
      const abandoned = row.state === 'pending' && new Date(row.locked_until) <= now;
      if (expired || abandoned) {
        await IdempotencyKeyModel.destroy({ where: { tenant_id: tenantId, key_hash: hash, created_at: row.created_at } });
        continue;
      }
      if (row.request_hash !== requestHash) return { kind: 'reused' };
      if (row.state === 'pending') return { kind: 'in_progress' };
      if (row.state === 'committed') return new Date(row.locked_until) <= now ? { kind: 'lost' } : { kind: 'in_progress' };
      // No answer on a `done` row: it was stored before keys were hashed (migration 20261205183000-platform-idempotency-key-hashes).
      if (row.response === null) return { kind: 'unreadable' };
      let response: StoredResponse;
      try {
        response = JSON.parse(unseal(responseKey(this.dataKey, tenantId, key), row.response)) as StoredResponse;
      } catch {
        return { kind: 'unreadable' };
      }
      return { kind: 'replay', response };
    }
    return { kind: 'in_progress' };
  }

  /**
   * Called by the unit of work inside its transaction, before it commits: the claim of the
   * request it serves becomes `committed` together with the change. So a claim
   * whose answer is never stored is known to have taken effect and is not run again; and a
   * request whose claim a retry took over (it ran past the lock) finds no row and rolls back.
   */
  async markCommitted(claim: IdempotencyClaim, transaction: Transaction): Promise<void> {
    const [count] = await IdempotencyKeyModel.update(
      { state: 'committed' },
      { where: { tenant_id: claim.tenantId, key_hash: keyHash(claim.tenantId, claim.key), created_at: claim.token, state: { [Op.in]: ['pending', 'committed'] } }, transaction },
    );
    if (count !== 1) {
      throw new ClaimLostError(`The Idempotency-Key ${claim.key} was taken over by a retry while this request ran; this request was not carried out.`);
    }
  }

  async complete(tenantId: string, key: string, token: Date, response: StoredResponse): Promise<void> {
    const where = { tenant_id: tenantId, key_hash: keyHash(tenantId, key), state: { [Op.in]: ['pending', 'committed'] }, created_at: token };
    const values = { state: 'done' as const, response_status: response.status, response: seal(responseKey(this.dataKey, tenantId, key), JSON.stringify(response)) };
    try {
      await IdempotencyKeyModel.update(values, { where });
    } catch {
      // The change is committed: losing its record would let a retry run it again. Once more.
      await IdempotencyKeyModel.update(values, { where });
    }
  }

  /** The request failed in a way that must not be replayed (a 5xx): free the key for a retry, unless its change committed. */
  async release(tenantId: string, key: string, token: Date): Promise<void> {
    await IdempotencyKeyModel.destroy({ where: { tenant_id: tenantId, key_hash: keyHash(tenantId, key), state: 'pending', created_at: token } });
  }

  async purgeExpired(now = new Date()): Promise<number> {
    return IdempotencyKeyModel.destroy({ where: { expires_at: { [Op.lte]: now } } });
  }
}
