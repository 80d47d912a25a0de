/**
 * The columns of a 问题清单 (an inspection team's list of problems, one row each) as the import reads them: the
 * heading the template writes, the other headings offices use for the same thing, and whether a row must fill it.
 */
export const PROBLEM_LIST_COLUMNS = [
  { key: 'number', header: '序号', aliases: ['编号', '问题序号'], required: false },
  {
    key: 'place',
    header: '地点（行政区划）',
    aliases: ['地点', '行政区划', '地区', '所在地', '村（社区）'],
    required: true,
  },
  { key: 'category', header: '问题类别', aliases: ['类别', '问题类型'], required: true },
  { key: 'title', header: '问题标题', aliases: ['标题', '问题名称'], required: false },
  { key: 'description', header: '问题描述', aliases: ['问题', '存在问题', '问题内容'], required: true },
  { key: 'severity', header: '严重程度', aliases: ['程度', '问题等级'], required: true },
  { key: 'leadUnit', header: '责任单位', aliases: ['牵头单位', '整改责任单位'], required: true },
  { key: 'cooperatingUnits', header: '配合单位', aliases: ['协办单位'], required: false },
  { key: 'deadline', header: '整改期限', aliases: ['完成时限', '整改时限', '期限'], required: true },
  { key: 'quantity', header: '整改目标数量', aliases: ['目标数量', '目标量', '数量'], required: false },
  { key: 'unitOfMeasure', header: '计量单位', aliases: ['单位'], required: false },
  { key: 'measures', header: '整改措施', aliases: ['整改要求', '措施'], required: true },
  { key: 'source', header: '问题来源', aliases: ['来源', '督查组'], required: false },
] as const;

export type ProblemListColumn = (typeof PROBLEM_LIST_COLUMNS)[number];
export type ProblemListKey = ProblemListColumn['key'];

/** The heading that names a column in a person's words (the template's own heading, without its note). */
export function columnLabel(key: ProblemListKey): string {
  return PROBLEM_LIST_COLUMNS.find((column) => column.key === key)!.header.replace(/（.*）$/, '');
}

/** Severity as the list writes it, and as findings record it. */
export const SEVERITY_WORDS: Readonly<Record<string, 'low' | 'medium' | 'high'>> = {
  一般: 'low',
  较重: 'medium',
  较严重: 'medium',
  严重: 'high',
  low: 'low',
  medium: 'medium',
  high: 'high',
};

/** Headings compared without spaces, a trailing note in brackets or a 必填 star: `地点 (行政区划) *` is 地点. */
const normalHeading = (text: string) =>
  text
    .replace(/\s+/g, '')
    .replace(/[*＊]/g, '')
    .replace(/[（(].*?[)）]$/, '');

/**
 * Which column each heading of a header row names (by index), and the required columns it lacks. Headings that
 * name no column are left out; a column named twice is taken from its first heading.
 */
export function columnsOfHeader(headings: readonly string[]): {
  readonly at: Partial<Record<ProblemListKey, number>>;
  readonly missing: readonly string[];
} {
  const at: Partial<Record<ProblemListKey, number>> = {};
  headings.forEach((heading, index) => {
    const text = normalHeading(heading);
    const column = PROBLEM_LIST_COLUMNS.find(
      (c) => normalHeading(c.header) === text || (c.aliases as readonly string[]).includes(text),
    );
    if (column && at[column.key] === undefined) at[column.key] = index;
  });
  const missing = PROBLEM_LIST_COLUMNS.filter((c) => c.required && at[c.key] === undefined).map((c) =>
    columnLabel(c.key),
  );
  return { at, missing };
}
