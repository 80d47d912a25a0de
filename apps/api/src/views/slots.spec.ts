import { Slots } from './slots';

describe('Slots', () => {
  it('lets as many in as it has, and the next in as soon as one is given back, in the order they came', async () => {
    const slots = new Slots(2);
    const entered: string[] = [];
    const first = await slots.take();
    const second = await slots.take();
    const third = slots.take().then((give) => (entered.push('third'), give));
    const fourth = slots.take().then((give) => (entered.push('fourth'), give));
    await Promise.resolve();
    expect([entered, slots.queued]).toEqual([[], 2]);

    first();
    first(); // given back twice: one slot all the same
    const giveThird = await third;
    expect([entered, slots.queued]).toEqual([['third'], 1]);
    second();
    const giveFourth = await fourth;
    expect(entered).toEqual(['third', 'fourth']);

    giveThird();
    giveFourth();
    // Both slots free again: two more come in at once.
    await Promise.all([slots.take(), slots.take()]);
    expect(slots.queued).toBe(0);
  });
});
