import { isDatabaseUnavailable } from '../../src/platform/db/unavailable';

describe('which database errors mean "unavailable, retry" (503) rather than a bug (500)', () => {
  it('counts a query on a SQLite connection Sequelize closed after a failed rollback, not other misuse', () => {
    const closed = Object.assign(new Error('SQLITE_MISUSE: Database handle is closed'), { code: 'SQLITE_MISUSE' });
    expect(isDatabaseUnavailable({ name: 'SequelizeDatabaseError', message: closed.message, parent: closed, original: closed })).toBe(true);
    const otherMisuse = Object.assign(new Error('SQLITE_MISUSE: bad parameter or other API misuse'), { code: 'SQLITE_MISUSE' });
    expect(isDatabaseUnavailable({ name: 'SequelizeDatabaseError', message: otherMisuse.message, parent: otherMisuse, original: otherMisuse })).toBe(false);
  });
});
