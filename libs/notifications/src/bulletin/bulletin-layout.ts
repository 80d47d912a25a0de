/**
 * The layout of a 情况通报 as GB/T 9704-2012 sets out a government notice, shared by the PDF and the DOCX so the two
 * look alike: A4, its margins, the red of the issuer and the rule, the sizes of each part (points).
 */
export const page = {
  width: 595.28,
  height: 841.89,
  margin: { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26) },
} as const;

export const textWidth = page.width - page.margin.left - page.margin.right;

export const colour = { red: 'C00000', shade: 'D9D9D9', bar: '4472C4', rule: '000000' } as const;

export const size = {
  issuer: 26,
  docNumber: 16,
  title: 22,
  body: 16,
  heading: 16,
  table: 10.5,
  note: 12,
  footnote: 10.5,
  pageNumber: 14,
} as const;

/** 一、二、… as far as 九十九、: the numbers of the sections' headings. */
export function sectionNumber(index: number): string {
  const digits = '〇一二三四五六七八九';
  const n = index + 1;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  const tensText = tens === 0 ? '' : tens === 1 ? '十' : `${digits[tens]}十`;
  return `${tensText}${ones === 0 ? '' : digits[ones]}、`;
}

/** The headline figures in rows of at most four, balanced (6 → 3 + 3, 7 → 4 + 3). */
export function headlineRows<T>(figures: readonly T[]): T[][] {
  const rows = Math.ceil(figures.length / 4);
  const perRow = Math.ceil(figures.length / Math.max(rows, 1));
  const result: T[][] = [];
  for (let i = 0; i < figures.length; i += perRow) result.push(figures.slice(i, i + perRow));
  return result;
}

/** The date of the signature (2018年9月30日) as the files' creation date, so the same bulletin gives the same file. */
export function signatureDate(dateText: string): Date | undefined {
  const match = /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/.exec(dateText);
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
}

/** Page numbers as a notice prints them: — 1 —. */
export function pageNumberText(n: number | string): string {
  return `— ${n} —`;
}

function mm(millimetres: number): number {
  return (millimetres * 72) / 25.4;
}
