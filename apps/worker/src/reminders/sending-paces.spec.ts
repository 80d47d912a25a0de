import { SendingPaces } from './sending-paces';

describe('sending paces (a group robot takes so many messages a minute)', () => {
  const robot = 'https://oapi.dingtalk.com/robot/send?access_token=a';
  const other = 'https://oapi.dingtalk.com/robot/send?access_token=b';
  const twentyAMinute = [{ messages: 20, perMs: 60_000 }];
  let now: number;
  let paces: SendingPaces;

  beforeEach(() => {
    now = Date.parse('2030-06-01T02:00:00Z');
    paces = new SendingPaces(() => now);
  });

  /** Takes a place and, given one, sends at once: the send returns in no time. */
  const send = (address: string, pace: ReadonlyArray<{ messages: number; perMs: number }>) => {
    const wait = paces.take(address, pace);
    if (wait === 0) paces.settle(address);
    return wait;
  };

  it('lets 20 go in a minute, then says when the first of them leaves the minute', () => {
    for (let i = 0; i < 20; i++) {
      expect(send(robot, twentyAMinute)).toBe(0);
      now += 1_000;
    }
    // The first went at 0 s; it is now 20 s: the 21st may go at 60 s.
    expect(send(robot, twentyAMinute)).toBe(40_000);
    // Another robot is counted on its own.
    expect(send(other, twentyAMinute)).toBe(0);
    now += 40_000;
    expect(send(robot, twentyAMinute)).toBe(0);
    // The second went at 1 s: the next may go at 61 s.
    expect(send(robot, twentyAMinute)).toBe(1_000);
  });

  it('counts a refused try neither way: a wait it is told takes no place', () => {
    for (let i = 0; i < 20; i++) send(robot, twentyAMinute);
    for (let i = 0; i < 5; i++) expect(send(robot, twentyAMinute)).toBe(60_000);
    now += 60_000;
    for (let i = 0; i < 20; i++) expect(send(robot, twentyAMinute)).toBe(0);
  });

  it('holds to every pace at once (Feishu: 100 a minute and 5 a second)', () => {
    const feishu = [
      { messages: 100, perMs: 60_000 },
      { messages: 5, perMs: 1_000 },
    ];
    let sent = 0;
    let waited = 0;
    while (sent < 100) {
      const wait = send(robot, feishu);
      if (wait === 0) sent++;
      else {
        expect(wait).toBeLessThanOrEqual(1_000);
        waited += wait;
        now += wait;
      }
    }
    // 100 at 5 a second take 19 s of waiting (the last five in the 20th second); the 101st waits for the minute.
    expect(waited).toBe(19_000);
    expect(send(robot, feishu)).toBe(60_000 - 19_000);
  });

  it('holds an address that said it is busy for as long as it said, whatever its pace', () => {
    paces.hold(robot, 30_000);
    expect(send(robot, twentyAMinute)).toBe(30_000);
    expect(send(robot, [])).toBe(30_000);
    now += 30_000;
    expect(send(robot, twentyAMinute)).toBe(0);
    expect(send(other, twentyAMinute)).toBe(0);
  });

  it('counts a send from when it returned: a robot that had a slow one late is never sent one too many', () => {
    const fiveIn2500 = [{ messages: 5, perMs: 2_500 }];
    // The first send takes 0.5 s to return (the robot may count it only then); the next four return at once.
    expect(paces.take(robot, fiveIn2500)).toBe(0);
    now += 500;
    paces.settle(robot);
    for (let i = 0; i < 4; i++) expect(send(robot, fiveIn2500)).toBe(0);
    // Counted from its start (0 s), the sixth could have gone at 2.5 s: within 2.5 s of the first's arrival.
    now = Date.parse('2030-06-01T02:00:02.500Z');
    expect(paces.take(robot, fiveIn2500)).toBe(500);
    now += 500;
    expect(send(robot, fiveIn2500)).toBe(0);
  });

  it('counts a send still on its way as arriving now, however long it takes', () => {
    const fiveIn2500 = [{ messages: 5, perMs: 2_500 }];
    for (let i = 0; i < 5; i++) expect(paces.take(robot, fiveIn2500)).toBe(0);
    now += 60_000; // none has returned
    expect(paces.take(robot, fiveIn2500)).toBe(2_500);
    for (let i = 0; i < 5; i++) paces.settle(robot);
    expect(paces.take(robot, fiveIn2500)).toBe(2_500);
    now += 2_500;
    expect(paces.take(robot, fiveIn2500)).toBe(0);
  });
});
