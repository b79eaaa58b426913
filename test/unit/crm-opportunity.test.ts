import { ConflictError, InvalidInputError } from '../../src/platform/errors';
import { CustomFieldRules } from '../../src/modules/crm/domain/custom-field';
import { Opportunity } from '../../src/modules/crm/domain/opportunity';
import { Pipeline } from '../../src/modules/crm/domain/pipeline';

const pipeline = Pipeline.create('ten_1', {
  name: 'Sales',
  stages: [
    { name: 'Qualification', probability: 10, kind: 'open' },
    { name: 'Proposal', probability: 50, kind: 'open' },
    { name: 'Won', probability: 100, kind: 'won' },
    { name: 'Lost', probability: 0, kind: 'lost' },
  ],
});
const [qual, proposal, won, lost] = pipeline.snapshot.stages;
const noFields = new CustomFieldRules('opportunity', []);
const ACTOR = 'cli_01M892BP80K3M5N7P9R1S3T5V7';

function opened() {
  const o = Opportunity.open('ten_1', pipeline.id, pipeline.firstOpenStage, { name: 'Deal', accountId: 'acc_1', amount: { amount: 1000, currency: 'EUR' } }, noFields, ACTOR);
  o.pullEvents();
  o.pullStageChanges();
  return o;
}

describe('Opportunity', () => {
  it('opens in an open stage, recording its creation as the first stage change and an event', () => {
    const o = Opportunity.open('ten_1', pipeline.id, qual, { name: 'Deal', accountId: 'acc_1', tags: ['a', 'a'] }, noFields, ACTOR);
    expect(o.snapshot).toMatchObject({ stageId: qual.id, status: 'open', tags: ['a'], closedAt: null, version: 1 });
    expect(o.availableActions).toEqual(['move', 'win', 'lose']);
    expect(o.pullStageChanges()).toEqual([expect.objectContaining({ fromStageId: null, toStageId: qual.id, status: 'open', changedBy: ACTOR })]);
    expect(o.pullEvents().map((e) => e.type)).toEqual(['crm.opportunity.created']);
    expect(() => Opportunity.open('ten_1', pipeline.id, won, { name: 'x', accountId: 'acc_1' }, noFields, ACTOR)).toThrow(InvalidInputError);
  });

  it('moves between open stages only; to its own stage changes nothing', () => {
    const o = opened();
    o.move(proposal, ACTOR);
    expect(o.snapshot).toMatchObject({ stageId: proposal.id, status: 'open', version: 2 });
    expect(o.pullEvents().map((e) => e.type)).toEqual(['crm.opportunity.stage_changed']);
    o.move(proposal, ACTOR);
    expect(o.version).toBe(2);
    expect(o.pullStageChanges()).toHaveLength(1);
    expect(() => o.move(won, ACTOR)).toThrow(InvalidInputError);
    expect(() => o.move(lost, ACTOR)).toThrow(InvalidInputError);
  });

  it('closes when won: the won stage, status won, closed_at set, only reopen left', () => {
    const o = opened();
    const at = new Date('2027-03-12T11:05:00.000Z');
    o.win(won, ACTOR, at);
    expect(o.snapshot).toMatchObject({ stageId: won.id, status: 'won', closedAt: at, lostReason: null, version: 2 });
    expect(o.availableActions).toEqual(['reopen']);
    expect(o.pullEvents().map((e) => [e.type, e.payload.closed_at])).toEqual([['crm.opportunity.won', at.toISOString()]]);
  });

  it('loses only with a reason, kept trimmed', () => {
    const o = opened();
    for (const reason of ['', '   ']) expect(() => o.lose(lost, reason, ACTOR)).toThrow(InvalidInputError);
    expect(() => o.lose(lost, 'x'.repeat(501), ACTOR)).toThrow(InvalidInputError);
    expect(o.version).toBe(1);
    o.lose(lost, '  No budget ', ACTOR);
    expect(o.snapshot).toMatchObject({ stageId: lost.id, status: 'lost', lostReason: 'No budget' });
    expect(o.snapshot.closedAt).not.toBeNull();
  });

  it('refuses every change once closed, pointing to reopen', () => {
    const o = opened();
    o.win(won, ACTOR);
    expect(() => o.change({ name: 'x' }, noFields)).toThrow(/reopen it first/);
    expect(() => o.move(proposal, ACTOR)).toThrow(ConflictError);
    expect(() => o.win(won, ACTOR)).toThrow(ConflictError);
    expect(() => o.lose(lost, 'why', ACTOR)).toThrow(ConflictError);
    expect(o.version).toBe(2);
  });

  it('reopens a closed opportunity in an open stage, clearing closed_at and lost_reason; an open one is moved instead', () => {
    const o = opened();
    expect(() => o.reopen(proposal, ACTOR)).toThrow(ConflictError);
    o.lose(lost, 'Timing', ACTOR);
    expect(() => o.reopen(won, ACTOR)).toThrow(InvalidInputError);
    o.pullEvents();
    o.reopen(proposal, ACTOR);
    expect(o.snapshot).toMatchObject({ stageId: proposal.id, status: 'open', closedAt: null, lostReason: null, version: 3 });
    expect(o.availableActions).toEqual(['move', 'win', 'lose']);
    expect(o.pullEvents().map((e) => [e.type, e.payload.was])).toEqual([['crm.opportunity.reopened', 'lost']]);
    expect(o.pullStageChanges().map((c) => [c.fromStageId, c.toStageId, c.status])).toEqual([
      [qual.id, lost.id, 'lost'],
      [lost.id, proposal.id, 'open'],
    ]);
  });

  it('patches an open opportunity; a patch that changes nothing keeps the version', () => {
    const o = opened();
    o.change({ amount: { amount: 1000, currency: 'EUR' }, name: 'Deal' }, noFields);
    expect(o.version).toBe(1);
    o.change({ amount: null, ownerId: 'u1' }, noFields);
    expect(o.snapshot).toMatchObject({ amount: null, ownerId: 'u1', version: 2 });
    expect(() => o.change({ customFields: { colour: 'red' } }, noFields)).toThrow(InvalidInputError);
  });
});
