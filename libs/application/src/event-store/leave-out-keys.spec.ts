import { leavingOut, StoredEvent } from './event-store.port';

const stored = (data: unknown): StoredEvent => ({
  id: 'e-1',
  streamName: 'task-1',
  revision: 0,
  position: 1n,
  type: 'RectificationTaskAssigned',
  data,
  metadata: { occurredAt: '2018-09-01T01:00:00.000Z' },
  recordedAt: '2018-09-01T01:00:00.000Z',
  previousHash: null,
  hash: 'h',
});

describe('keys a reader leaves out of the events’ data (as a store that cannot leave them out hands them over)', () => {
  it('takes the keys out of a copy, leaving the event as stored untouched', () => {
    const event = stored({ taskId: 't-1', reminderPolicy: { id: 'default' }, deadline: '2018-09-30' });
    const left = leavingOut(event, ['reminderPolicy']);
    expect(left.data).toEqual({ taskId: 't-1', deadline: '2018-09-30' });
    expect({ ...left, data: undefined }).toEqual({ ...event, data: undefined });
    expect(event.data.reminderPolicy).toEqual({ id: 'default' });
  });

  it('hands over the very event when it has none of the keys, or none are left out', () => {
    const event = stored({ taskId: 't-1' });
    expect(leavingOut(event, ['reminderPolicy'])).toBe(event);
    expect(leavingOut(event, [])).toBe(event);
    expect(leavingOut(event, undefined)).toBe(event);
    const odd = stored(null);
    expect(leavingOut(odd, ['reminderPolicy'])).toBe(odd);
  });

  it('leaves out a key whose value is null or undefined as well (it is there)', () => {
    expect(leavingOut(stored({ a: 1, reminderPolicy: null }), ['reminderPolicy']).data).toEqual({ a: 1 });
    expect(Object.keys(leavingOut(stored({ a: 1, reminderPolicy: undefined }), ['reminderPolicy']).data)).toEqual([
      'a',
    ]);
  });
});
