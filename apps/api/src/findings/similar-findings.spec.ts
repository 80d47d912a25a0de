import { FindingSummary, similarFindings } from './similar-findings';

// 阜阳市 › 阜南县 › 王堰镇 › 蔡郢村, with a sibling village, a sibling town and another county.
const regions = [
  { id: 'fuyang', name: '阜阳市', parentId: null },
  { id: 'funan', name: '阜南县', parentId: 'fuyang' },
  { id: 'linquan', name: '临泉县', parentId: 'fuyang' },
  { id: 'wangyan', name: '王堰镇', parentId: 'funan' },
  { id: 'caiying', name: '蔡郢村', parentId: 'wangyan' },
  { id: 'dashi', name: '大史村', parentId: 'wangyan' },
  { id: 'caoji', name: '曹集镇', parentId: 'funan' },
  { id: 'far', name: '远村', parentId: 'linquan' },
];

const finding = (id: string, regionId: string, over: Partial<FindingSummary> = {}): FindingSummary => ({
  id,
  title: id,
  regionId,
  category: 'sanitation',
  severity: 'medium',
  filedAt: '2018-05-16T08:30:00.000Z',
  resolved: false,
  ...over,
});

describe('举一反三: similar findings', () => {
  it('lists the same category nearest first: the same village, a sibling village, the town, a sibling town', () => {
    const found = similarFindings(
      [
        finding('town', 'caoji'),
        finding('sibling', 'dashi'),
        finding('here', 'caiying'),
        finding('county', 'funan'),
        finding('other-kind', 'caiying', { category: 'industry' }),
      ],
      regions,
      { category: 'sanitation', regionId: 'caiying' },
    );
    expect(found.map((f) => [f.id, f.distance, f.regionName])).toEqual([
      ['here', 0, '蔡郢村'],
      ['sibling', 2, '大史村'],
      ['county', 2, '阜南县'],
      ['town', 3, '曹集镇'],
    ]);
  });

  it('puts open ones before resolved ones at the same distance, and says which is which', () => {
    const found = similarFindings([finding('closed', 'dashi', { resolved: true }), finding('open', 'dashi')], regions, {
      category: 'sanitation',
      regionId: 'caiying',
    });
    expect(found.map((f) => [f.id, f.status])).toEqual([
      ['open', 'open'],
      ['closed', 'resolved'],
    ]);
  });

  it('leaves out the finding asked about and places too far away', () => {
    const found = similarFindings([finding('self', 'caiying'), finding('far', 'far')], regions, {
      category: 'sanitation',
      regionId: 'caiying',
      excludeId: 'self',
      maxDistance: 3,
    });
    expect(found).toEqual([]);
  });
});
