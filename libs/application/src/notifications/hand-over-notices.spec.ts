import type { StoredEvent } from '../event-store/event-store.port';
import { handOverNotices, NoticeTask } from './hand-over-notices';

const event = (type: string, data: Record<string, unknown> = {}): StoredEvent =>
  ({ type, data: { taskId: 't1', ...data }, metadata: {} }) as unknown as StoredEvent;

const task: NoticeTask = { title: '村口沟渠堵塞', leadUnitId: 'village', checkingUnitId: 'town' };
const notices = (e: StoredEvent) => handOverNotices(e, task).map((n) => [n.kind, n.unitId, n.reason]);

describe('交办通知: which unit each hand-over is told to', () => {
  it('tells the lead unit of a new task, of a send-back, a decided extension and a reopening', () => {
    expect(notices(event('RectificationTaskAssigned', { leadUnitId: 'village' }))).toEqual([
      ['assigned', 'village', null],
    ]);
    expect(notices(event('RectificationTaskSentBack', { reason: '照片不清' }))).toEqual([
      ['sent_back', 'village', '照片不清'],
    ]);
    expect(notices(event('RectificationTaskExtensionApproved', { newDeadline: '2030-07-15' }))).toEqual([
      ['extension_approved', 'village', null],
    ]);
    expect(notices(event('RectificationTaskExtensionRefused', { reason: '不能延期' }))).toEqual([
      ['extension_refused', 'village', '不能延期'],
    ]);
    expect(notices(event('RectificationTaskReopened', { reason: '反弹', deadline: '2030-08-01' }))).toEqual([
      ['reopened', 'village', '反弹'],
    ]);
  });

  it('tells the checking unit what awaits its sign-off or decision', () => {
    expect(notices(event('RectificationTaskSubmitted'))).toEqual([['submitted', 'town', null]]);
    expect(
      notices(event('RectificationTaskExtensionRequested', { requestedDeadline: '2030-07-15', reason: '雨季' })),
    ).toEqual([['extension_requested', 'town', '雨季']]);
    expect(handOverNotices(event('RectificationTaskSubmitted'), { ...task, checkingUnitId: null })).toEqual([]);
  });

  it('tells a reassignment to the new unit and to the unit it was taken from', () => {
    const reassigned = event('RectificationTaskReassigned', {
      previousLeadUnitId: 'village',
      leadUnitId: 'town',
      reason: '改由镇政府牵头',
    });
    expect(notices(reassigned)).toEqual([
      ['assigned', 'town', '改由镇政府牵头'],
      ['reassigned_away', 'village', '改由镇政府牵头'],
    ]);
  });

  it('says what happened and what to do next in Chinese', () => {
    expect(handOverNotices(event('RectificationTaskSentBack', { reason: 'r' }), task)[0]).toMatchObject({
      what: '任务「村口沟渠堵塞」的销号申请被退回',
      next: '请按退回理由整改后重新申请销号',
    });
  });

  it('hands nothing over on progress, plans or reminders', () => {
    for (const type of [
      'RectificationTaskProgressReported',
      'RectificationTaskPlanRecorded',
      'RectificationTaskReminded',
    ])
      expect(notices(event(type))).toEqual([]);
  });
});
