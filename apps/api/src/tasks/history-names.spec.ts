import { Directory, UserAccount, UserRepository } from '@zhenggai/application';
import { SYSTEM_ACTOR } from '@zhenggai/domain';
import { HistoryEntry } from './event-history';
import { HistoryNames } from './history-names';

const ZHANG = '11111111-1111-4111-8111-111111111111';
const LI = '22222222-2222-4222-8222-222222222222';

const account = (id: string, displayName: string, unitId: string | null): UserAccount => ({
  id,
  username: `user-${displayName}`,
  displayName,
  role: 'unit',
  unitId,
  regionScopeId: null,
  passwordHash: null,
  disabled: false,
});

const entry = (revision: number, actor: object | null): HistoryEntry => ({
  revision,
  position: String(revision),
  type: 'RectificationTaskProgressReported',
  data: {},
  actor,
  occurredAt: '2026-12-01T01:00:00.000Z',
  recordedAt: '2026-12-01T01:00:00.000Z',
  correlationId: null,
  causationId: null,
  previousHash: null,
  hash: `h${revision}`,
});

describe('naming the people behind a history', () => {
  const findByIds = jest.fn(async (ids: readonly string[]) =>
    [account(ZHANG, '张三', 'u-wangjiaba'), account(LI, '李四', 'u-wangyan')].filter((a) => ids.includes(a.id)),
  );
  const listUnits = jest.fn(async () => [
    { id: 'u-wangjiaba', name: '王家坝镇人民政府', regionId: 'r', headName: null, contact: null },
    { id: 'u-wangyan', name: '王堰镇人民政府', regionId: 'r', headName: null, contact: null },
  ]);
  const names = new HistoryNames({ findByIds } as unknown as UserRepository, { listUnits } as unknown as Directory);

  it('names each person and unit with one read of the accounts and one of the units, however long', async () => {
    const history = [
      entry(0, { userId: ZHANG, username: 'zhangsan', role: 'unit', unitId: 'u-wangjiaba' }),
      entry(1, { userId: ZHANG, username: 'zhangsan', role: 'unit', unitId: 'u-wangjiaba' }),
      // Recorded when Li worked for 王家坝 (the unit then, not the account's unit now).
      entry(2, { userId: LI, username: 'lisi', role: 'unit', unitId: 'u-wangjiaba' }),
      entry(3, SYSTEM_ACTOR),
    ];

    const named = await names.named(history);

    expect(named.map((e) => e.by)).toEqual([
      { displayName: '张三', unitName: '王家坝镇人民政府' },
      { displayName: '张三', unitName: '王家坝镇人民政府' },
      { displayName: '李四', unitName: '王家坝镇人民政府' },
      null,
    ]);
    expect(findByIds).toHaveBeenCalledTimes(1);
    expect(findByIds).toHaveBeenCalledWith([ZHANG, LI]);
    expect(listUnits).toHaveBeenCalledTimes(1);
  });

  it('names an account gone from the directory by its recorded login; reads nothing for the engine', async () => {
    findByIds.mockClear();
    listUnits.mockClear();
    const gone = '33333333-3333-4333-8333-333333333333';

    expect((await names.named([entry(0, { userId: gone, username: 'wangwu', role: 'inspector' })]))[0].by).toEqual({
      displayName: 'wangwu',
      unitName: null,
    });
    expect((await names.named([entry(0, SYSTEM_ACTOR)]))[0].by).toBeNull();
    expect(findByIds).toHaveBeenCalledTimes(1);
  });
});
