import { unreadable } from './page-checks';

/** The text scan of every page a browser journey visits: what it lets through, and what it names. */
describe('the text scan of a page', () => {
  const scan = (text: string) => unreadable([{ text, where: 'task-card' }]);

  it('lets Chinese through, with figures, dates as the app writes them, units and file formats', () => {
    expect(scan('王家坝镇人民政府 · 张三')).toEqual([]);
    expect(scan('2026年12月1日 18:22，已验收 6 / 10 户，共 12 km²')).toEqual([]);
    expect(scan('交办于 2026-12-01 18:22')).toEqual([]);
    expect(scan('导出台账 XLSX')).toEqual([]);
    expect(scan('改造照片.png')).toEqual([]);
  });

  it('names English words, raw codes, UUIDs, hashes and ISO timestamps, with where they are', () => {
    expect(scan('the deadline 2020-01-01 is before today')).toEqual([
      'English “the” in task-card: “the deadline 2020-01-01 is before today”',
      'English “deadline” in task-card: “the deadline 2020-01-01 is before today”',
      'English “is” in task-card: “the deadline 2020-01-01 is before today”',
      'English “before” in task-card: “the deadline 2020-01-01 is before today”',
      'English “today” in task-card: “the deadline 2020-01-01 is before today”',
    ]);
    expect(scan('类别：dangerous-housing')).toEqual([
      'a raw code “dangerous-housing” in task-card: “类别：dangerous-housing”',
    ]);
    expect(scan('DEADLINE_IN_PAST')).toEqual(['a raw code “DEADLINE_IN_PAST” in task-card: “DEADLINE_IN_PAST”']);
    expect(scan('任务编号 0b7e6a52-3c1d-4f3e-9a55-7c2f0e1d2a3b')).toEqual([
      'a UUID “0b7e6a52-3c1d-4f3e-9a55-7c2f0e1d2a3b” in task-card: “任务编号 0b7e6a52-3c1d-4f3e-9a55-7c2f0e1d2a3b”',
    ]);
    expect(scan('校验 7455266122b5…')).toEqual(['a hash or raw id “7455266122b5” in task-card: “校验 7455266122b5…”']);
    expect(scan('导出于 2026-12-01T18:22:18.554Z')).toEqual([
      'an ISO timestamp “2026-12-01T18:22:18.554Z” in task-card: “导出于 2026-12-01T18:22:18.554Z”',
    ]);
  });
});
