import { ConflictError, InvalidInputError } from '../../src/platform/errors';
import { Activity } from '../../src/modules/crm/domain/activity';

describe('an activity', () => {
  it('is attached to exactly one record', () => {
    expect(() => Activity.record('ten_x', { kind: 'note', subject: 's' })).toThrow(InvalidInputError);
    expect(() => Activity.record('ten_x', { kind: 'note', subject: 's', accountId: 'acc_1', contactId: 'con_1' })).toThrow(InvalidInputError);
    expect(Activity.record('ten_x', { kind: 'note', subject: 's', contactId: 'con_1' }).snapshot).toMatchObject({ contactId: 'con_1', accountId: null, opportunityId: null });
  });

  it('takes the fields of its kind only', () => {
    expect(() => Activity.record('ten_x', { kind: 'note', subject: 's', accountId: 'a', dueAt: new Date() })).toThrow(/due_at|tasks/);
    expect(() => Activity.record('ten_x', { kind: 'task', subject: 's', accountId: 'a', durationMinutes: 3 })).toThrow(InvalidInputError);
    const call = Activity.record('ten_x', { kind: 'call', subject: 's', accountId: 'a' }, new Date('2026-12-01T10:00:00Z'));
    expect(call.snapshot.occurredAt).toEqual(new Date('2026-12-01T10:00:00Z'));
    expect(() => call.change({ dueAt: new Date() })).toThrow(InvalidInputError);
  });

  it('is completed only when it is a task, and only once', () => {
    const task = Activity.record('ten_x', { kind: 'task', subject: 's', accountId: 'a' });
    task.complete(new Date('2026-12-02T00:00:00Z'));
    expect(task.snapshot.completedAt).toEqual(new Date('2026-12-02T00:00:00Z'));
    expect(() => task.complete()).toThrow(ConflictError);
    expect(() => Activity.record('ten_x', { kind: 'meeting', subject: 's', accountId: 'a' }).complete()).toThrow(/only tasks/);
    expect(task.pullEvents().map((e) => e.type)).toEqual(['crm.activity.created', 'crm.activity.completed']);
  });
});
