import {
  BulletinContent,
  BulletinDocument,
  BulletinFigures,
  BulletinRankRow,
  BulletinRequest,
  BulletinSection,
  BulletinTaskRow,
  Directory,
  EventStore,
  loadStream,
  ProjectionSql,
  Reach,
} from '@zhenggai/application';
import {
  addDays,
  campaignDecider,
  campaignStreamName,
  daysBetween,
  LocalDate,
  REGION_LEVELS,
  RegionLevel,
  roundQuantity,
  shanghaiDateOf,
  shanghaiInstant,
} from '@zhenggai/domain';
import { campaignProgress } from '../queries/campaign-progress.query';
import { TaskQueries } from '../queries/task-queries';

/** How many tasks a bulletin names in each list (overdue, sent back, extended); the rest are counted. */
export const BULLETIN_LIST_LIMIT = 100;
/** A ranking longer than this names the regions or units behind only (and counts the others). */
const RANKING_LIMIT = 60;

const LEVEL_NAMES: Record<RegionLevel, string> = { city: '市', county: '县（市、区）', town: '乡镇', village: '村' };

export interface BulletinComposerDeps {
  readonly sql: ProjectionSql;
  readonly tasks: TaskQueries;
  readonly directory: Directory;
  readonly store: EventStore;
  /** 黄灯: the warning window the deadline view takes its lights on. */
  readonly warningDays: () => Promise<number>;
}

/**
 * 情况通报 from the read models as they stood at the bulletin's `asOf`: with a campaign, its progress (the figures of
 * `GET /api/campaigns/:id/progress` for the same reach and instant); without one, the deadline view's and the
 * scoreboard's. Then the overdue tasks with their days overdue, and the period's send-backs and extensions, each
 * worded in Chinese for the document and kept as data for the answer.
 */
export class BulletinComposer implements BulletinContent {
  constructor(private readonly deps: BulletinComposerDeps) {}

  async compose(request: BulletinRequest): Promise<{ document: BulletinDocument; figures: BulletinFigures }> {
    const figures = await this.figures(request);
    return { document: this.document(request, figures), figures };
  }

  private async figures(request: BulletinRequest): Promise<BulletinFigures> {
    const { tasks, directory } = this.deps;
    const { scope, asOf } = request;
    const reach: Reach = scope.regionId ? { ...request.reach, regionId: scope.regionId } : request.reach;
    const region = reach.regionId ? await directory.getRegion(reach.regionId) : null;
    const levels = REGION_LEVELS.slice(region ? REGION_LEVELS.indexOf(region.level) + 1 : 1);
    const scopeName = region?.name ?? (await this.topName());
    const warningDays = await this.deps.warningDays();
    const base = campaignIdFilter(scope.campaignId, reach);
    const main = scope.campaignId
      ? await this.campaignFigures(scope.campaignId, asOf, reach, levels)
      : await this.viewFigures(asOf, reach, levels, warningDays);
    const overdue = await tasks.list(
      { ...base, overdue: true },
      { page: 1, pageSize: BULLETIN_LIST_LIMIT },
      { at: asOf, warningDays },
    );
    const asOfDate = shanghaiDateOf(asOf);
    const periodEnd = new Date(
      Math.min(shanghaiInstant(addDays(request.period.to as LocalDate, 1)).getTime(), asOf.getTime()),
    );
    const handOvers = await tasks.handOverList(
      shanghaiInstant(request.period.from as LocalDate),
      periodEnd,
      { regionId: reach.regionId ?? null, campaignId: scope.campaignId },
      BULLETIN_LIST_LIMIT,
    );
    const handOverRow = (h: (typeof handOvers.sendBacks.rows)[number], detail: string | null): BulletinTaskRow => ({
      taskId: h.taskId,
      title: h.title,
      unitName: h.unitName,
      regionName: h.regionName,
      deadline: h.deadline,
      date: shanghaiDateOf(h.at),
      detail,
    });
    return {
      asOf: asOf.toISOString(),
      scopeName,
      ...main,
      overdue: {
        total: overdue.total,
        rows: overdue.items.map((t) => ({
          taskId: t.id,
          title: t.title,
          unitName: t.leadUnitName,
          regionName: t.regionName,
          deadline: t.deadline,
          daysOverdue: daysBetween(t.deadline as LocalDate, asOfDate),
        })),
      },
      sendBacks: {
        total: handOvers.sendBacks.total,
        rows: handOvers.sendBacks.rows.map((h) => handOverRow(h, h.reason)),
      },
      extensions: {
        total: handOvers.extensions.total,
        rows: handOvers.extensions.rows.map((h) =>
          handOverRow(
            h,
            h.previousDeadline ? `${chineseDate(h.previousDeadline)}延至${chineseDate(h.deadline)}` : null,
          ),
        ),
      },
    };
  }

  /** The campaign's progress for the reach as of `asOf`: the very figures of its progress view. */
  private async campaignFigures(campaignId: string, asOf: Date, reach: Reach, levels: readonly RegionLevel[]) {
    const { state, events } = await loadStream(this.deps.store, campaignDecider, campaignStreamName(campaignId));
    if (state.status === 'none') throw new Error(`campaign ${campaignId} does not exist`);
    const launchedAt = events[0]?.metadata.occurredAt ?? asOf.toISOString();
    const progress = await campaignProgress(this.deps.sql, { ...state, launchedAt }, asOf, reach, {
      byRegionLevel: levels,
    });
    const { totals } = progress;
    return {
      campaignName: state.name,
      totals: {
        tasks: totals.tasks,
        open: totals.open,
        overdue: totals.overdue,
        closed: totals.closed,
        closedOnTime: totals.closedOnTime,
        closedLate: totals.closedLate,
      },
      quantities: progress.quantities,
      byRegionLevel: levels.map((level) => ({
        level,
        rows: (progress.byRegionLevel?.[level] ?? []).map((r) =>
          rankRow(r.regionId, r.regionName ?? '（未知地区）', r, r.behind),
        ),
      })),
      byUnit: progress.byUnit.map((u) => rankRow(u.unitId, u.unitName ?? '（未知单位）', u, u.behind)),
    };
  }

  /** Without a campaign: the deadline view's counts by region level and the scoreboard's by unit. */
  private async viewFigures(asOf: Date, reach: Reach, levels: readonly RegionLevel[], warningDays: number) {
    const filter = campaignIdFilter(null, reach);
    const list = await this.deps.tasks.list(
      filter,
      { page: 1, pageSize: 1 },
      { at: asOf, warningDays, byRegionLevel: levels },
    );
    const s = list.summary;
    const closed = s.closed_on_time + s.closed_late;
    const open = s.green + s.yellow + s.red;
    const byUnit = await this.deps.tasks.scoreboard(asOf, reach);
    return {
      campaignName: null,
      totals: {
        tasks: open + closed,
        open,
        overdue: s.red,
        closed,
        closedOnTime: s.closed_on_time,
        closedLate: s.closed_late,
      },
      quantities: [],
      byRegionLevel: levels.map((level) => ({
        level,
        rows: (list.byRegionLevel?.[level] ?? []).map((r) => {
          const c = r.summary.closed_on_time + r.summary.closed_late;
          const o = r.summary.green + r.summary.yellow + r.summary.red;
          const figures = {
            tasks: o + c,
            open: o,
            overdue: r.summary.red,
            closed: c,
            quantityTarget: r.quantityTarget,
            quantityDone: r.quantityDone,
          };
          return rankRow(r.regionId, r.regionName ?? '（未知地区）', figures, r.summary.red > 0);
        }),
      })),
      byUnit: byUnit.map((u) =>
        rankRow(
          u.unitId,
          u.unitName ?? '（未知单位）',
          {
            tasks: u.open + u.closed,
            open: u.open,
            overdue: u.overdue,
            closed: u.closed,
            quantityTarget: null,
            quantityDone: null,
          },
          u.overdue > 0,
        ),
      ),
    };
  }

  private async topName(): Promise<string> {
    const roots = (await this.deps.directory.listRegions()).filter((r) => r.parentId === null);
    return roots.length === 1 ? roots[0].name : '全域';
  }

  private document(request: BulletinRequest, f: BulletinFigures): BulletinDocument {
    const asOf = request.asOf;
    const asOfText = chineseInstant(asOf);
    const subject = f.campaignName ? `${f.campaignName}专项行动` : `${f.scopeName}整改工作`;
    const title = request.title ?? `关于${subject}整改情况的通报`;
    const year = shanghaiDateOf(asOf).slice(0, 4);
    const t = f.totals;
    const rateOf = (closed: number, tasks: number) => (tasks > 0 ? percent(closed / tasks) : '—');
    const headline = [
      { label: '整改任务', value: `${t.tasks} 项` },
      { label: '已销号', value: `${t.closed} 项` },
      { label: '按期销号', value: `${t.closedOnTime} 项` },
      { label: '逾期销号', value: `${t.closedLate} 项` },
      { label: '未办结', value: `${t.open} 项` },
      { label: '逾期未完成', value: `${t.overdue} 项` },
      { label: '销号率', value: rateOf(t.closed, t.tasks) },
      ...f.quantities.map((q) => ({
        label: `完成量（${q.unit}）`,
        value: `${fmt(q.done)} / ${fmt(q.target)} ${q.unit}（${q.target > 0 ? percent(q.done / q.target) : '—'}）`,
      })),
    ];
    const intro = [
      `现将${f.scopeName}${subject}整改情况通报如下。本通报数据统计截至${asOfText}，` +
        `退回重办和延期情况统计期间为${chineseDate(request.period.from)}至${chineseDate(request.period.to)}。`,
      `截至${asOfText}，${f.scopeName}共有整改任务${t.tasks}项，已销号${t.closed}项（其中按期销号${t.closedOnTime}项、` +
        `逾期销号${t.closedLate}项），销号率${rateOf(t.closed, t.tasks)}；未办结${t.open}项，其中逾期未完成${t.overdue}项。` +
        f.quantities
          .map(
            (q) =>
              `按${q.unit}计，完成${fmt(q.done)}${q.unit}，目标${fmt(q.target)}${q.unit}` +
              `（${q.target > 0 ? percent(q.done / q.target) : '—'}）。`,
          )
          .join(''),
    ];
    const sections: BulletinSection[] = [];
    const first = f.byRegionLevel[0];
    if (first) {
      const rows = [...first.rows].sort(byRate);
      sections.push({
        kind: 'bars',
        heading: `各${LEVEL_NAMES[first.level as RegionLevel] ?? '地区'}销号率`,
        max: 1,
        bars: rows.map((r) => ({
          label: r.name,
          value: r.rate ?? 0,
          text: `${r.rate === null ? '—' : percent(r.rate)}（${r.closed}/${r.tasks}）`,
          emphasis: r.behind,
        })),
        empty: '本范围内暂无整改任务。',
      });
    }
    for (const { level, rows } of f.byRegionLevel)
      sections.push(rankingTable(`${LEVEL_NAMES[level as RegionLevel] ?? level}整改进度排名`, '地区', rows, f));
    sections.push(rankingTable('责任单位整改进度排名', '责任单位', f.byUnit, f));
    sections.push({
      kind: 'table',
      heading: '逾期未完成任务清单',
      columns: ['序号', '整改任务', '责任单位', '地区', '整改期限', '逾期天数'],
      widths: [6, 27, 17, 11, 15, 10],
      rows: f.overdue.rows.map((r, i) => ({
        cells: [
          String(i + 1),
          r.title,
          r.unitName ?? '',
          r.regionName ?? '',
          chineseDate(r.deadline),
          `${r.daysOverdue} 天`,
        ],
        emphasis: (r.daysOverdue ?? 0) > 30,
      })),
      empty: `截至${asOfText}，无逾期未完成任务。`,
      note: moreNote(f.overdue.total, f.overdue.rows.length, '逾期未完成任务'),
    });
    sections.push({
      kind: 'table',
      heading: '本期退回重办情况',
      columns: ['序号', '整改任务', '责任单位', '退回日期', '退回原因'],
      widths: [4, 28, 16, 12, 26],
      rows: f.sendBacks.rows.map((r, i) => ({
        cells: [String(i + 1), r.title, r.unitName ?? '', chineseDate(r.date ?? ''), r.detail ?? ''],
      })),
      empty: '本期无退回重办的任务。',
      note: moreNote(f.sendBacks.total, f.sendBacks.rows.length, '退回重办'),
    });
    sections.push({
      kind: 'table',
      heading: '本期批准延期情况',
      columns: ['序号', '整改任务', '责任单位', '批准日期', '期限调整'],
      widths: [4, 30, 16, 12, 24],
      rows: f.extensions.rows.map((r, i) => ({
        cells: [String(i + 1), r.title, r.unitName ?? '', chineseDate(r.date ?? ''), r.detail ?? ''],
      })),
      empty: '本期无批准延期的任务。',
      note: moreNote(f.extensions.total, f.extensions.rows.length, '批准延期'),
    });
    const behind = f.byUnit.filter((u) => u.behind).map((u) => u.name);
    sections.push({
      kind: 'paragraphs',
      heading: '下一步工作要求',
      paragraphs: [
        behind.length > 0
          ? `${behind.slice(0, 12).join('、')}${behind.length > 12 ? `等${behind.length}个单位` : ''}整改进度滞后，` +
            '要认真查找原因，倒排工期，确保按期完成整改任务。'
          : '各责任单位要巩固整改成果，防止问题反弹。',
        '逾期未完成的任务，责任单位要在三个工作日内书面说明原因和整改措施；对整改不力、敷衍整改的，将按有关规定严肃问责。',
      ],
    });
    return {
      issuer: request.issuer,
      docNumber: `督查通报〔${year}〕  号`,
      title,
      addressee: '各有关单位：',
      intro,
      headline,
      sections,
      signature: { issuer: request.issuer, dateText: chineseDate(shanghaiDateOf(asOf)) },
      footnote:
        `范围：${f.scopeName}${f.campaignName ? ` · ${f.campaignName}` : ''}；数据截至${asOfText}；` +
        `统计期间${chineseDate(request.period.from)}至${chineseDate(request.period.to)}；第 ${request.version} 版。`,
    };
  }
}

function campaignIdFilter(campaignId: string | null, reach: Reach) {
  return {
    ...(campaignId ? { campaignId } : {}),
    ...(reach.regionId ? { scopeRegionId: reach.regionId } : {}),
    ...(reach.unitId ? { visibleToUnitId: reach.unitId } : {}),
  };
}

function rankRow(
  id: string,
  name: string,
  r: {
    tasks: number;
    open: number;
    overdue: number;
    closed: number;
    quantityTarget: number | null;
    quantityDone: number | null;
  },
  behind: boolean,
): BulletinRankRow {
  return {
    id,
    name,
    tasks: r.tasks,
    open: r.open,
    overdue: r.overdue,
    closed: r.closed,
    rate: r.tasks > 0 ? r.closed / r.tasks : null,
    quantityTarget: r.quantityTarget === null ? null : roundQuantity(r.quantityTarget),
    quantityDone: r.quantityDone === null ? null : roundQuantity(r.quantityDone),
    behind,
  };
}

/** Highest 销号率 first; among equals, fewer overdue, then by name. */
function byRate(a: BulletinRankRow, b: BulletinRankRow): number {
  return (b.rate ?? -1) - (a.rate ?? -1) || a.overdue - b.overdue || a.name.localeCompare(b.name, 'zh');
}

function rankingTable(
  heading: string,
  who: string,
  all: readonly BulletinRankRow[],
  f: BulletinFigures,
): BulletinSection {
  const sorted = [...all].sort(byRate);
  const shown = sorted.length > RANKING_LIMIT ? sorted.filter((r) => r.behind).slice(0, RANKING_LIMIT) : sorted;
  const withQuantity = f.quantities.length === 1;
  return {
    kind: 'table',
    heading,
    columns: ['名次', who, '任务数', '已销号', '未办结', '逾期', '销号率', ...(withQuantity ? ['完成量'] : [])],
    widths: [6, 26, 9, 9, 9, 8, 10, ...(withQuantity ? [14] : [])],
    rows: shown.map((r) => ({
      cells: [
        String(sorted.indexOf(r) + 1),
        r.behind ? `${r.name}（滞后）` : r.name,
        String(r.tasks),
        String(r.closed),
        String(r.open),
        String(r.overdue),
        r.rate === null ? '—' : percent(r.rate),
        ...(withQuantity
          ? [r.quantityTarget === null ? '—' : `${fmt(r.quantityDone ?? 0)}/${fmt(r.quantityTarget)}`]
          : []),
      ],
      emphasis: r.behind,
    })),
    empty: '本范围内暂无整改任务。',
    note:
      [
        shown.length < sorted.length ? `共${sorted.length}个，此处列出进度滞后的${shown.length}个。` : '',
        withQuantity ? '排名中的完成量为各级本级填报数，目标为本级承担的部分；总完成量按逐级验收汇总。' : '',
      ].join('') || undefined,
  };
}

function moreNote(total: number, shown: number, what: string): string | undefined {
  return total > shown ? `共${total}项${what}，此处列出前${shown}项，完整清单见系统。` : undefined;
}

/** 2018-09-30 → 2018年9月30日 (GB/T 9704 writes the date in Arabic numerals). */
export function chineseDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : date;
}

/** An instant in Asia/Shanghai in words: 2018年9月30日24时 for the end of a day, else with its hour and minute. */
export function chineseInstant(at: Date): string {
  const local = new Date(at.getTime() + 8 * 3_600_000);
  const [h, m, s] = [local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()];
  if (h === 0 && m === 0 && s === 0) return `${chineseDate(addDays(shanghaiDateOf(at), -1))}24时`;
  if (h === 23 && m === 59 && s === 59) return `${chineseDate(shanghaiDateOf(at))}24时`;
  return `${chineseDate(shanghaiDateOf(at))}${h}时${m > 0 ? `${m}分` : ''}`;
}

function percent(rate: number): string {
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

function fmt(n: number): string {
  return String(roundQuantity(n));
}
