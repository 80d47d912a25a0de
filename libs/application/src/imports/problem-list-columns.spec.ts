import { columnsOfHeader } from './problem-list-columns';
import { writtenDate } from './problem-list-preview';

describe('问题清单 headings', () => {
  it('knows the template headings, with their stars and notes, and the other names offices use', () => {
    const { at, missing } = columnsOfHeader([
      '序号',
      '地点（行政区划）*',
      '类别',
      '存在问题',
      '问题等级',
      '牵头单位',
      '完成时限',
      '整改要求',
      '备注',
    ]);
    expect(at).toEqual({
      number: 0,
      place: 1,
      category: 2,
      description: 3,
      severity: 4,
      leadUnit: 5,
      deadline: 6,
      measures: 7,
    });
    expect(missing).toEqual([]);
  });

  it('names the required columns a header lacks', () => {
    expect(columnsOfHeader(['序号', '地点', '问题描述']).missing).toEqual([
      '问题类别',
      '严重程度',
      '责任单位',
      '整改期限',
      '整改措施',
    ]);
  });
});

describe('dates as offices write them', () => {
  it.each([
    ['2018-09-30', '2018-09-30'],
    ['2018/9/30', '2018-09-30'],
    ['2018.9.3', '2018-09-03'],
    ['2018年9月30日', '2018-09-30'],
    ['43373', '2018-09-30'],
  ])('reads %s as %s', (written, date) => expect(writtenDate(written)).toBe(date));

  it.each(['2018-02-30', '下月底', '9/30', '10000-01-01'])('refuses %s', (written) =>
    expect(writtenDate(written)).toBeNull(),
  );
});
