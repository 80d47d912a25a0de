import type { BulletinDocument } from '@zhenggai/application';

const towns = [
  '城关镇',
  '鹿城镇',
  '地城镇',
  '洪河桥镇',
  '王家坝镇',
  '王堰镇',
  '苗集镇',
  '黄岗镇',
  '焦陂镇',
  '张寨镇',
  '王化镇',
  '中岗镇',
  '柴集镇',
  '新村镇',
  '朱寨镇',
  '赵集镇',
  '田集镇',
  '方集镇',
  '会龙镇',
  '公桥乡',
  '龙王乡',
  '于集乡',
  '老观乡',
  '郜台乡',
  '段郢乡',
  '许堂乡',
  '曹集镇',
  '三塔镇',
  '经济开发区',
  '城区管委会',
  '县住建局',
  '县扶贫局',
  '县民政局',
  '县财政局',
  '县自然资源局',
  '县农业农村局',
  '县残联',
  '县审计局',
  '县水利局',
  '县交通局',
];

/** The ranking of the 40 units by rate of completion, worst first: enough rows to run onto a second page. */
const ranking = towns.map((name, i) => {
  const total = 12 + ((i * 7) % 23);
  const done = Math.max(0, total - 1 - ((i * 5) % 9) + Math.floor(i / 4));
  const completed = Math.min(done, total);
  const overdue = Math.max(0, 8 - Math.floor(i / 5));
  return { name, total, completed, overdue, rate: ((completed / total) * 100).toFixed(1) };
});

/**
 * A 危房改造 bulletin of 阜南县 as the composer would word it: headline figures, a ranking of 40 units (two pages),
 * a bar chart, an overdue list that is empty, and paragraphs; what the renderers' tests start from.
 */
export function sampleBulletin(): BulletinDocument {
  return {
    issuer: '阜南县脱贫攻坚指挥部督查组',
    docNumber: '督查通报〔2018〕  号',
    title: '关于危房改造清零专项行动整改情况的通报',
    addressee: '各乡镇人民政府，县直有关单位：',
    intro: [
      '根据县委、县政府关于开展危房改造清零专项行动的部署，县脱贫攻坚指挥部督查组对 2018年9月1日至9月30日各单位危房改造问题整改情况进行了督查。现将有关情况通报如下（数据截至 2018年9月30日 17:00）。',
    ],
    headline: [
      { label: '任务总数', value: '120 件' },
      { label: '已办结', value: '87 件' },
      { label: '办结率', value: '72.5%' },
      { label: '逾期未办结', value: '9 件' },
      { label: '退回重办', value: '4 次' },
      { label: '平均办理用时', value: '6.3 天' },
    ],
    sections: [
      {
        kind: 'table',
        heading: '各单位整改进度排名',
        columns: ['序号', '责任单位', '任务数', '已办结', '逾期', '办结率'],
        widths: [1, 3, 1.2, 1.2, 1, 1.4],
        rows: ranking.map((unit, i) => ({
          cells: [
            String(i + 1),
            unit.name,
            String(unit.total),
            String(unit.completed),
            String(unit.overdue),
            `${unit.rate}%`,
          ],
          emphasis: unit.overdue >= 7,
        })),
        empty: '本期无整改任务。',
        note: '注：按办结率从低到高排列，逾期 7 件以上的单位以红色标出。',
      },
      {
        kind: 'bars',
        heading: '各类问题办结率',
        max: 100,
        bars: [
          { label: '鉴定不准', value: 91.7, text: '91.7%（11/12）' },
          { label: '改造不达标', value: 66.7, text: '66.7%（20/30）' },
          { label: '资金拨付滞后', value: 45, text: '45.0%（9/20）', emphasis: true },
          { label: '档案资料不全', value: 80.4, text: '80.4%（37/46）' },
          { label: '未入住', value: 83.3, text: '83.3%（10/12）' },
        ],
        empty: '本期无分类统计。',
      },
      {
        kind: 'table',
        heading: '逾期超过三十天的任务',
        columns: ['序号', '任务', '责任单位', '期限', '逾期天数'],
        widths: [1, 4, 2, 2, 1.5],
        rows: [],
        empty: '本期无逾期超过三十天的任务。',
      },
      {
        kind: 'paragraphs',
        heading: '下一步工作要求',
        paragraphs: [
          '各单位要对照问题清单，逐户核查，逐项销号，确保 10月15日 前全部整改到位。',
          '县督查组将对整改情况进行“回头看”，对整改不力、敷衍了事的单位予以通报批评并严肃问责。',
        ],
      },
    ],
    signature: { issuer: '阜南县脱贫攻坚指挥部督查组', dateText: '2018年9月30日' },
    footnote: '统计范围：阜南县；统计期间：2018年9月1日至9月30日；数据截至 2018年9月30日 17:00；版本 v3。',
  };
}
