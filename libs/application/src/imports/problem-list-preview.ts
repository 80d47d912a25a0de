import {
  Actor,
  compareLocalDates,
  isLocalDate,
  isWithinCalendar,
  LocalDate,
  QuantityTarget,
  TEXT_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  UNIT_MAX_LENGTH,
  ValidationError,
} from '@zhenggai/domain';
import { nameBasedId } from '../ids/name-based-id';
import { ReferenceDeps, References } from '../references/references';
import { columnLabel, PROBLEM_LIST_COLUMNS, ProblemListKey, SEVERITY_WORDS } from './problem-list-columns';

/** One data row of a 问题清单 as read from the file: its row number in the sheet and its cells as text. */
export interface ProblemListRow {
  readonly rowNumber: number;
  readonly values: Partial<Record<ProblemListKey, string>>;
}

/** What is wrong with a row, in Chinese, naming the column (`null`: the row as a whole). */
export interface RowProblem {
  readonly column: string | null;
  readonly message: string;
}

export interface NamedRef {
  readonly id: string;
  readonly name: string;
}

/** The finding a row files and the task it assigns, as far as the row could be read (null where it could not). */
export interface PreviewRow {
  readonly rowNumber: number;
  /** 序号 as written. */
  readonly number: string | null;
  /**
   * The row's identity: from the file's SHA-256 and the row's content, so the same row of the same file is the same
   * command however often it is committed or the file uploaded.
   */
  readonly key: string;
  readonly finding: {
    readonly title: string | null;
    readonly description: string;
    readonly region: (NamedRef & { readonly code: string }) | null;
    readonly category: { readonly code: string; readonly name: string } | null;
    readonly severity: 'low' | 'medium' | 'high' | null;
    readonly source: string;
  };
  readonly tasks: ReadonlyArray<{
    readonly leadUnit: NamedRef | null;
    readonly cooperatingUnits: readonly NamedRef[];
    readonly deadline: LocalDate | null;
    readonly measures: string | null;
    readonly target: QuantityTarget | null;
  }>;
  readonly problems: readonly RowProblem[];
}

export interface PreviewContext {
  readonly actor: Actor;
  /** Today in Asia/Shanghai, from the clock: no deadline may fall before it. */
  readonly today: LocalDate;
  /** Named in each finding's source, with the row: 问题清单《…》第N行. */
  readonly fileName: string | null;
}

/** 2018年9月30日. */
export const chineseDate = (date: LocalDate) => {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

/**
 * 问题清单 preview: each row read into the finding it would file and the task it would assign, its place, category
 * and units matched against the directory within the importing inspector's reach (by the same checks the commands
 * run), and what is wrong with it in Chinese. Reads only; the caller keeps the outcome.
 */
export async function previewProblemList(
  deps: ReferenceDeps,
  context: PreviewContext,
  rows: readonly ProblemListRow[],
): Promise<PreviewRow[]> {
  const references = new References(deps);
  const firstOfKey = new Map<string, number>();
  const preview: PreviewRow[] = [];
  for (const row of rows) {
    const read = await previewRow(references, context, row);
    const earlier = firstOfKey.get(read.key);
    if (earlier !== undefined) {
      preview.push({ ...read, problems: [...read.problems, { column: null, message: `与第${earlier}行内容相同` }] });
    } else {
      firstOfKey.set(read.key, row.rowNumber);
      preview.push(read);
    }
  }
  return preview;
}

async function previewRow(references: References, context: PreviewContext, row: ProblemListRow): Promise<PreviewRow> {
  const problems: RowProblem[] = [];
  const text = (key: ProblemListKey) => (row.values[key] ?? '').trim();
  const problem = (key: ProblemListKey, message: string) => problems.push({ column: columnLabel(key), message });
  const required = (key: ProblemListKey, max: number): string | null => {
    const value = text(key);
    if (value === '') problem(key, `未填写${columnLabel(key)}`);
    else if ([...value].length > max) problem(key, `${columnLabel(key)}超过${max}字`);
    else return value;
    return null;
  };
  const optional = (key: ProblemListKey, max: number): string => {
    const value = text(key);
    if ([...value].length > max) problem(key, `${columnLabel(key)}超过${max}字`);
    return value;
  };
  /** A directory reference the shared checks refuse becomes the column's problem; other failures are not the row's. */
  const referenced = async <T>(key: ProblemListKey, written: string, check: () => Promise<T>): Promise<T | null> => {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problem(key, referenceProblem(error.code, columnLabel(key), written));
      return null;
    }
  };

  const description = required('description', TEXT_MAX_LENGTH) ?? '';
  const title = optional('title', TITLE_MAX_LENGTH) || titleOf(description);
  const place = required('place', TITLE_MAX_LENGTH);
  const region = place
    ? await referenced('place', place, () => references.regionWritten(context.actor, place, 'place'))
    : null;
  const categoryText = required('category', TITLE_MAX_LENGTH);
  const category = categoryText
    ? await referenced('category', categoryText, () => references.categoryWritten(categoryText, 'category'))
    : null;
  const severityText = required('severity', TITLE_MAX_LENGTH);
  const severity = severityText ? (SEVERITY_WORDS[severityText.toLowerCase()] ?? null) : null;
  if (severityText && !severity) problem('severity', `严重程度「${severityText}」应为 一般、较重 或 严重`);

  const leadText = required('leadUnit', TITLE_MAX_LENGTH);
  const lead =
    leadText && region
      ? await referenced('leadUnit', leadText, () =>
          references.unitWritten(context.actor, region.id, leadText, 'leadUnit'),
        )
      : null;
  const cooperating: NamedRef[] = [];
  for (const name of splitList(optional('cooperatingUnits', TEXT_MAX_LENGTH))) {
    if (!region) break;
    const unit = await referenced('cooperatingUnits', name, () =>
      references.unitWritten(context.actor, region.id, name, 'cooperatingUnits'),
    );
    if (!unit) continue;
    if (unit.id === lead?.id) problem('cooperatingUnits', `配合单位「${name}」与责任单位相同`);
    else if (!cooperating.some((u) => u.id === unit.id)) cooperating.push({ id: unit.id, name: unit.name });
  }

  const deadlineText = required('deadline', TITLE_MAX_LENGTH);
  let deadline = deadlineText ? writtenDate(deadlineText) : null;
  if (deadlineText && !deadline) problem('deadline', `整改期限「${deadlineText}」不是日期，请写成 2018-09-30`);
  if (deadline && compareLocalDates(deadline, context.today) < 0) {
    problem('deadline', `整改期限${chineseDate(deadline)}早于今天（${chineseDate(context.today)}）`);
    deadline = null;
  }
  const measures = required('measures', TEXT_MAX_LENGTH);
  const target = targetOf(text('quantity'), optional('unitOfMeasure', UNIT_MAX_LENGTH), problem);
  const source =
    optional('source', TITLE_MAX_LENGTH) ||
    `问题清单${context.fileName ? `《${context.fileName}》` : ''}第${row.rowNumber}行`.slice(0, TITLE_MAX_LENGTH);

  return {
    rowNumber: row.rowNumber,
    number: text('number') || null,
    key: rowKey(row),
    finding: {
      title: title || null,
      description,
      region: region && { id: region.id, name: region.name, code: region.code },
      category: category && { code: category.code, name: category.name },
      severity,
      source,
    },
    tasks: [
      {
        leadUnit: lead && { id: lead.id, name: lead.name },
        cooperatingUnits: cooperating,
        deadline,
        measures,
        target,
      },
    ],
    problems,
  };
}

/**
 * The identity of a row: its cells in column order, but for its 序号 (not which file it came in, nor where in it it
 * stands). A list fixed and uploaded again, or rows copied into another list, file nothing twice: the rows committed
 * before are found as filed.
 */
function rowKey(row: ProblemListRow): string {
  const content = PROBLEM_LIST_COLUMNS.filter((column) => column.key !== 'number').map((column) =>
    (row.values[column.key] ?? '').trim(),
  );
  return nameBasedId('problem-list-row', JSON.stringify(content));
}

function referenceProblem(code: string, label: string, written: string): string {
  switch (code) {
    case 'AMBIGUOUS_REGION':
      return `${label}「${written}」有多处同名，请写明上级（如 王堰镇/蔡郢村）或填写行政区划代码`;
    case 'AMBIGUOUS_UNIT':
      return `${label}「${written}」有多个同名单位，请联系管理员区分`;
    case 'UNKNOWN_REGION':
      return `未知的${label}「${written}」：不存在，或不在您的管辖范围内`;
    case 'UNKNOWN_UNIT':
      return `未知的${label}「${written}」：不存在，或不能承办该地点的整改任务`;
    default:
      return `未知的${label}「${written}」`;
  }
}

/** A title from the description when the row gives none: its first sentence, at most 60 characters. */
function titleOf(description: string): string {
  const first = description.split(/[。；;！!？?\n]/)[0]!.trim();
  return [...first].slice(0, 60).join('');
}

/** A list of names in one cell: 、，,；; or new lines between them. */
function splitList(cell: string): string[] {
  return cell
    .split(/[、，,；;\n]+/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/**
 * A date as offices write it: 2018-09-30, 2018/9/30, 2018.9.30, 2018年9月30日, or the day number a spreadsheet
 * keeps for a date cell it no longer formats as one (43373 is 2018-09-30).
 */
export function writtenDate(text: string): LocalDate | null {
  const serial = /^\d{5}$/.test(text) ? Number(text) : null;
  if (serial !== null) return new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text);
  if (!m) return null;
  const date = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isLocalDate(date) && isWithinCalendar(date) ? date : null;
}

function targetOf(
  quantityText: string,
  unit: string,
  problem: (key: ProblemListKey, message: string) => void,
): QuantityTarget | null {
  if (quantityText === '' && unit === '') return null;
  const quantity = Number(quantityText.replace(/[,，]/g, ''));
  if (quantityText === '') problem('quantity', '填写了计量单位，但未填写整改目标数量');
  else if (!Number.isFinite(quantity) || quantity <= 0)
    problem('quantity', `整改目标数量「${quantityText}」应为大于 0 的数`);
  if (unit === '' && quantityText !== '') problem('unitOfMeasure', '填写了整改目标数量，但未填写计量单位');
  return quantityText !== '' && unit !== '' && Number.isFinite(quantity) && quantity > 0 ? { quantity, unit } : null;
}
