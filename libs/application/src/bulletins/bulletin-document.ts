/**
 * 情况通报 as a document: what a bulletin says, already worded in Chinese, laid out by the renderers (DOCX and PDF)
 * without any further knowledge of the domain. The composer fills it from the read models as they stood at the
 * bulletin's `asOf`; every figure a reader checks appears as text here, so the two files say the same thing.
 */
export interface BulletinDocument {
  /** 发文机关: the issuing office, printed in red above the rule (e.g. 阜阳市扶贫开发领导小组督查组). */
  readonly issuer: string;
  /** 文号, a placeholder the office fills in when it files the notice (e.g. 督查通报〔2018〕 号). */
  readonly docNumber: string;
  /** 标题 (e.g. 关于危房改造清零专项行动整改情况的通报). */
  readonly title: string;
  /** 主送: to whom it is addressed (e.g. 各县（市、区）、各有关单位：). */
  readonly addressee: string;
  /** The opening paragraph(s): what is reported, the period and the instant the figures are taken at. */
  readonly intro: readonly string[];
  /** 主要指标: the headline figures, each a label and its value with its unit (e.g. 任务总数 / 120 件). */
  readonly headline: ReadonlyArray<{ readonly label: string; readonly value: string }>;
  /** The body, in order: numbered headings (一、二、…) are the renderers' to add. */
  readonly sections: readonly BulletinSection[];
  /** 落款: the issuer's name again and the date in Chinese form (e.g. 2018年9月30日). */
  readonly signature: { readonly issuer: string; readonly dateText: string };
  /** Printed small under the signature: the scope, the period, the instant of the figures, the version. */
  readonly footnote: string;
}

export type BulletinSection = BulletinTable | BulletinBars | BulletinParagraphs;

/** A table: a ranking, the overdue list… Cells are text as printed; `emphasis` rows are set off (e.g. in red). */
export interface BulletinTable {
  readonly kind: 'table';
  readonly heading: string;
  readonly columns: readonly string[];
  /** Relative widths of the columns (any positive numbers), one per column. */
  readonly widths: readonly number[];
  readonly rows: ReadonlyArray<{ readonly cells: readonly string[]; readonly emphasis?: boolean }>;
  /** Said when there are no rows (e.g. 本期无逾期任务。). */
  readonly empty: string;
  /** A sentence under the table (e.g. 另有 12 项未列出…). */
  readonly note?: string;
}

/** A horizontal bar chart: one bar per label, its length `value / max`, its figure printed as `text`. */
export interface BulletinBars {
  readonly kind: 'bars';
  readonly heading: string;
  readonly max: number;
  readonly bars: ReadonlyArray<{
    readonly label: string;
    readonly value: number;
    readonly text: string;
    readonly emphasis?: boolean;
  }>;
  readonly empty: string;
  readonly note?: string;
}

export interface BulletinParagraphs {
  readonly kind: 'paragraphs';
  readonly heading: string;
  readonly paragraphs: readonly string[];
}

/** What renders a bulletin into its files: both formats from one document, in the same order and words. */
export interface BulletinRenderer {
  docx(document: BulletinDocument): Promise<Buffer>;
  pdf(document: BulletinDocument): Promise<Buffer>;
}

/** A row of a bulletin's ranking: a region of one level, or a unit. */
export interface BulletinRankRow {
  readonly id: string;
  readonly name: string;
  readonly tasks: number;
  readonly open: number;
  readonly overdue: number;
  readonly closed: number;
  /** closed / tasks, 0 to 1; null without tasks. */
  readonly rate: number | null;
  readonly quantityTarget: number | null;
  readonly quantityDone: number | null;
  readonly behind: boolean;
}

/** A task a bulletin names: overdue, sent back, or given more time in the period. */
export interface BulletinTaskRow {
  readonly taskId: string;
  readonly title: string;
  readonly unitName: string | null;
  readonly regionName: string | null;
  readonly deadline: string;
  /** Overdue: calendar days past its deadline at `asOf`. */
  readonly daysOverdue?: number;
  /** Sent back or extended: the Shanghai date it happened, and the reason or the new deadline. */
  readonly date?: string;
  readonly detail?: string | null;
}

/**
 * A bulletin's figures as data (what the document words), answered by the API beside the files so that a reader
 * (or a test) can hold them against the views: the totals and quantities equal the campaign progress (or the
 * deadline view) of the same scope as of the same instant.
 */
export interface BulletinFigures {
  readonly asOf: string;
  readonly scopeName: string;
  readonly campaignName: string | null;
  readonly totals: {
    readonly tasks: number;
    readonly open: number;
    readonly overdue: number;
    readonly closed: number;
    readonly closedOnTime: number;
    readonly closedLate: number;
  };
  readonly quantities: ReadonlyArray<{ readonly unit: string; readonly target: number; readonly done: number }>;
  /** One ranking per region level below the scope's (县, 乡镇, 村), each region's own parts rolled up. */
  readonly byRegionLevel: ReadonlyArray<{ readonly level: string; readonly rows: readonly BulletinRankRow[] }>;
  readonly byUnit: readonly BulletinRankRow[];
  readonly overdue: { readonly total: number; readonly rows: readonly BulletinTaskRow[] };
  readonly sendBacks: { readonly total: number; readonly rows: readonly BulletinTaskRow[] };
  readonly extensions: { readonly total: number; readonly rows: readonly BulletinTaskRow[] };
}

/** What a bulletin is asked for: its scope (already checked against the issuer's reach), period and instant. */
export interface BulletinRequest {
  readonly scope: { readonly regionId: string | null; readonly campaignId: string | null };
  readonly period: { readonly from: string; readonly to: string };
  readonly asOf: Date;
  /** The issuer's reach (a unit's or a region's), within which the scope is read. */
  readonly reach: { readonly regionId?: string; readonly unitId?: string };
  /** 发文机关: the issuing office's name. */
  readonly issuer: string;
  readonly title: string | null;
  readonly version: number;
}

/** Where a bulletin's document and figures come from: the read models as they stood at `asOf`. */
export interface BulletinContent {
  compose(request: BulletinRequest): Promise<{ document: BulletinDocument; figures: BulletinFigures }>;
}
