import { sameJsonText } from './same-json-text';

const ladder = () =>
  JSON.parse(
    '{"id":"default","name":"默认催办规则","levels":[{"kind":"reminder","label":"提醒","offset":{"days":-3,"hourOfDay":9},' +
      '"recipients":["unit"]},{"kind":"escalation","label":"督办","offset":{"days":3,"hourOfDay":9},' +
      '"recipients":["supervising_leader"]}],"version":1}',
  );

describe('sameJsonText: a ladder known again without writing out its JSON', () => {
  it('takes two parses of the same JSON as the same', () => {
    expect(sameJsonText(ladder(), ladder())).toBe(true);
  });

  it.each([
    ['a level changed', (l: any) => (l.levels[1].offset.days = 4)],
    ['a recipient added', (l: any) => l.levels[0].recipients.push('unit_head')],
    ['a level dropped', (l: any) => l.levels.pop()],
    ['a key added', (l: any) => (l.note = null)],
    ['a number as a string', (l: any) => (l.version = '1')],
    ['an array for an object', (l: any) => (l.levels[0].offset = [])],
  ])('tells them apart with %s', (_, change) => {
    const other = ladder();
    change(other);
    expect(sameJsonText(ladder(), other)).toBe(false);
    expect(sameJsonText(other, ladder())).toBe(false);
  });

  it('agrees with JSON.stringify on key order: the same keys in another order are another text', () => {
    const reordered = JSON.parse(JSON.stringify({ version: 1, ...ladder() }));
    expect(JSON.stringify(reordered) === JSON.stringify(ladder())).toBe(false);
    expect(sameJsonText(reordered, ladder())).toBe(false);
  });

  it('answers false (write it out) for what JSON would not keep as it is', () => {
    expect(sameJsonText(undefined, undefined)).toBe(false);
    expect(sameJsonText(NaN, NaN)).toBe(false);
    expect(sameJsonText({ at: new Date(0) }, { at: new Date(1) })).toBe(false);
    expect(sameJsonText({ a: undefined }, { a: undefined })).toBe(false);
  });
});
