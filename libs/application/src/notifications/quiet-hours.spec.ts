import { sendableAt } from './quiet-hours';

const at = (local: string) => new Date(`${local}+08:00`);

describe('免打扰: an e-mail due in its quiet hours waits until they end', () => {
  const night = { from: '22:00', to: '07:00' };

  it('sends at once outside the quiet hours, or with none', () => {
    expect(sendableAt(night, at('2030-06-01T12:00:00'))).toEqual(at('2030-06-01T12:00:00'));
    expect(sendableAt(null, at('2030-06-01T23:00:00'))).toEqual(at('2030-06-01T23:00:00'));
    expect(sendableAt(night, at('2030-06-01T07:00:00'))).toEqual(at('2030-06-01T07:00:00'));
  });

  it('waits until the morning across midnight, from the evening or the small hours', () => {
    expect(sendableAt(night, at('2030-06-01T22:00:00'))).toEqual(at('2030-06-02T07:00:00'));
    expect(sendableAt(night, at('2030-06-01T23:30:00'))).toEqual(at('2030-06-02T07:00:00'));
    expect(sendableAt(night, at('2030-06-02T03:15:00'))).toEqual(at('2030-06-02T07:00:00'));
  });

  it('waits within the day for quiet hours that do not span midnight', () => {
    const lunch = { from: '12:00', to: '14:00' };
    expect(sendableAt(lunch, at('2030-06-01T12:30:00'))).toEqual(at('2030-06-01T14:00:00'));
    expect(sendableAt(lunch, at('2030-06-01T14:00:00'))).toEqual(at('2030-06-01T14:00:00'));
  });
});
