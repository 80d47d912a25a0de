import { PROBLEM_LIST_COLUMNS, ProblemListKey } from '@zhenggai/application';
import { excel } from '../http/exceljs';
import { EXAMPLE_ROW_MARK, IMPORT_MAX_ROWS } from './problem-list-sheet';

/** What each column takes, for the template's 填写说明 sheet. */
const GUIDANCE: Record<ProblemListKey, string> = {
  number: `可不填。填「${EXAMPLE_ROW_MARK}」的行是示例，不会导入`,
  place: '行政区划代码（如 341225113201），或地名；同名时写明上级，如 王堰镇/蔡郢村',
  category: '问题类别的名称或代码，如 危房改造 或 dangerous-housing（见系统「组织机构」中的类别）',
  title: '可不填，不填时取问题描述的第一句',
  description: '问题的具体情况',
  severity: '一般、较重 或 严重',
  leadUnit: '牵头的责任单位全称，如 王堰镇人民政府',
  cooperatingUnits: '可不填；多个单位用顿号（、）分隔',
  deadline: '日期，如 2018-09-30，不能早于导入当天',
  quantity: '可不填；填写时须同时填写计量单位，如 217',
  unitOfMeasure: '如 户、个、公里、亩',
  measures: '整改措施和要求',
  source: '可不填，如 市委督查组 2018年5月16日实地督查',
};

/** The seed story's dangerous housing in 蔡郢村, as an inspection team would have listed it. */
const EXAMPLE: Record<ProblemListKey, string | number | Date> = {
  number: EXAMPLE_ROW_MARK,
  place: '阜南县/王堰镇/蔡郢村',
  category: '危房改造',
  title: '蔡郢村危房改造未完成',
  description: '大史郢庄、万庄破旧房屋、危旧房散乱无序，存在安全隐患。',
  severity: '严重',
  leadUnit: '王堰镇人民政府',
  cooperatingUnits: '蔡郢村民委员会',
  deadline: new Date(Date.UTC(2018, 8, 30)),
  quantity: 217,
  unitOfMeasure: '户',
  measures: '拆除破旧房屋，一户一方案，拆后复垦或绿化',
  source: '市委督查组 2018年5月16日实地督查',
};

const WIDTHS: Partial<Record<ProblemListKey, number>> = { description: 40, measures: 36, place: 22, leadUnit: 20 };

/**
 * The 问题清单 template: the 问题清单 sheet with the headings the import reads (required ones marked *), the
 * example row and a choice list for 严重程度, and a 填写说明 sheet saying what each column takes.
 */
export async function problemListTemplate(): Promise<Buffer> {
  const workbook = new (excel().Workbook)();
  const sheet = workbook.addWorksheet('问题清单', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = PROBLEM_LIST_COLUMNS.map((column) => ({
    header: column.required ? `${column.header}*` : column.header,
    key: column.key,
    width: WIDTHS[column.key] ?? 14,
    style: column.key === 'deadline' ? { numFmt: 'yyyy-mm-dd' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.addRow(EXAMPLE).font = { color: { argb: 'FF808080' } };
  const severityColumn = PROBLEM_LIST_COLUMNS.findIndex((column) => column.key === 'severity') + 1;
  for (let row = 2; row <= IMPORT_MAX_ROWS + 1; row++) {
    sheet.getCell(row, severityColumn).dataValidation = {
      type: 'list',
      allowBlank: true,
      formulae: ['"一般,较重,严重"'],
    };
  }
  const guide = workbook.addWorksheet('填写说明');
  guide.columns = [
    { header: '列', key: 'column', width: 18 },
    { header: '必填', key: 'required', width: 6 },
    { header: '填写说明', key: 'guidance', width: 70 },
  ];
  guide.getRow(1).font = { bold: true };
  for (const column of PROBLEM_LIST_COLUMNS) {
    guide.addRow({ column: column.header, required: column.required ? '是' : '否', guidance: GUIDANCE[column.key] });
  }
  guide.addRow({});
  guide.addRow({ column: `每个文件最多 ${IMPORT_MAX_ROWS} 行；也可另存为 CSV（UTF-8）后导入。` });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
