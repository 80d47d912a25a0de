import { getEventListeners } from 'node:events';
import { CatchUpTurns } from './catch-up-turns';

/** Lets every promise callback already due run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CatchUpTurns: read models and reactions far behind catch up one at a time, most wanted first', () => {
  it('gives the turn at once when nobody holds it, and again at once to the one holding it', async () => {
    const turns = new CatchUpTurns(['tasks', 'audit']);
    await turns.take('audit');
    await turns.take('audit');
    expect(turns.status()).toEqual({ catchingUp: ['audit'], waiting: [] });
  });

  it('hands a turn given up to the most wanted of those waiting, whatever their order of asking', async () => {
    const turns = new CatchUpTurns(['tasks', 'todo', 'audit']);
    await turns.take('audit');
    const order: string[] = [];
    const unknown = turns.take('someone-else').then(() => order.push('someone-else'));
    const todo = turns.take('todo').then(() => order.push('todo'));
    const tasks = turns.take('tasks').then(() => order.push('tasks'));
    await settle();
    expect(turns.status()).toEqual({ catchingUp: ['audit'], waiting: ['tasks', 'todo', 'someone-else'] });

    turns.give('audit');
    await tasks;
    expect(order).toEqual(['tasks']);
    turns.give('tasks');
    await todo;
    turns.give('todo');
    await unknown;
    expect(order).toEqual(['tasks', 'todo', 'someone-else']);
  });

  it('lets one claim the turn as it starts only when it is free, without waiting', async () => {
    const turns = new CatchUpTurns(['tasks', 'todo', 'audit']);
    expect(turns.tryTake('tasks')).toBe(true);
    expect(turns.tryTake('tasks')).toBe(true);
    expect(turns.tryTake('todo')).toBe(false);
    const audit = turns.take('audit');
    await settle();
    turns.give('tasks');
    await audit;
    // Someone was waiting when the turn came free: it went to them, not to one claiming it.
    expect(turns.tryTake('todo')).toBe(false);
    expect(turns.status()).toEqual({ catchingUp: ['audit'], waiting: [] });
  });

  it('asks the holder to yield only to one more wanted than itself', async () => {
    const turns = new CatchUpTurns(['tasks', 'todo', 'audit']);
    await turns.take('todo');
    void turns.take('audit');
    await settle();
    expect(turns.shouldYield('todo')).toBe(false);
    void turns.take('tasks');
    await settle();
    expect(turns.shouldYield('todo')).toBe(true);
    expect(turns.shouldYield('audit')).toBe(false);
  });

  it('lets as many catch up at once as it was told', async () => {
    const turns = new CatchUpTurns([], 2);
    await turns.take('a');
    await turns.take('b');
    let third = false;
    void turns.take('c').then(() => (third = true));
    await settle();
    expect(third).toBe(false);
    turns.give('a');
    await settle();
    expect(third).toBe(true);
    expect(turns.status().catchingUp).toEqual(['b', 'c']);
  });

  it('drops a wait that was aborted (its runner stopped) and passes over it', async () => {
    const turns = new CatchUpTurns(['tasks', 'todo', 'audit']);
    await turns.take('audit');
    const stopping = new AbortController();
    const tasks = turns.take('tasks', stopping.signal);
    const todo = turns.take('todo');
    stopping.abort(new Error('stopped'));
    await expect(tasks).rejects.toThrow('stopped');
    turns.give('audit');
    await todo;
    expect(turns.status()).toEqual({ catchingUp: ['todo'], waiting: [] });
  });

  it('leaves nothing on the signal of a wait that got its turn (a runner waits on one signal for ever)', async () => {
    const turns = new CatchUpTurns(['tasks', 'audit']);
    const stopping = new AbortController();
    for (let i = 0; i < 20; i++) {
      await turns.take('tasks');
      const audit = turns.take('audit', stopping.signal);
      turns.give('tasks');
      await audit;
      turns.give('audit');
    }
    expect(getEventListeners(stopping.signal, 'abort')).toHaveLength(0);
  });

  it('gives nothing to one that holds no turn, and refuses fewer than one at once', () => {
    const turns = new CatchUpTurns(['tasks']);
    turns.give('tasks');
    expect(turns.status()).toEqual({ catchingUp: [], waiting: [] });
    expect(() => new CatchUpTurns([], 0)).toThrow(RangeError);
  });
});
