import type { StoredEvent } from '@zhenggai/application';

export interface UnitFigures {
  open: number;
  overdue: number;
  closed: number;
  closedOnTime: number;
  closedLate: number;
  /** To a tenth of a day, as the read model rounds it. */
  averageDaysToClose: number | null;
  sendBacks: number;
}

/**
 * The unit scoreboard as `TaskQueries.scoreboard` documents it, computed straight from the task events with
 * nothing but their types and data, as things stood at `at`: what the read model must agree with.
 */
export function scoreboardFromEvents(events: readonly StoredEvent[], at: Date): Map<string, UnitFigures> {
  const tasks = new Map<
    string,
    { status: string; lead: string; leadSince: number; deadline: string; closedAt: number | null }
  >();
  const sendBacks = new Map<string, number>();
  for (const e of events) {
    if (!e.type.startsWith('RectificationTask')) continue;
    const when = Date.parse(e.metadata.occurredAt);
    if (when > at.getTime()) continue;
    const t = tasks.get(e.data.taskId);
    if (!t && e.type !== 'RectificationTaskAssigned') continue;
    switch (e.type) {
      case 'RectificationTaskAssigned':
        tasks.set(e.data.taskId, {
          status: 'assigned',
          lead: e.data.leadUnitId,
          leadSince: when,
          deadline: e.data.deadline,
          closedAt: null,
        });
        break;
      case 'RectificationTaskReassigned':
        Object.assign(t!, { status: 'assigned', lead: e.data.leadUnitId, leadSince: when });
        break;
      case 'RectificationTaskSentBack':
        t!.status = 'in_progress';
        sendBacks.set(t!.lead, (sendBacks.get(t!.lead) ?? 0) + 1);
        break;
      case 'RectificationTaskAccepted':
        t!.status = 'accepted';
        break;
      case 'RectificationTaskPlanRecorded':
      case 'RectificationTaskProgressReported':
        t!.status = 'in_progress';
        break;
      case 'RectificationTaskSubmitted':
        t!.status = 'submitted';
        break;
      case 'RectificationTaskVerified':
        Object.assign(t!, { status: 'closed', closedAt: when });
        break;
      case 'RectificationTaskCancelled':
        t!.status = 'cancelled';
        break;
      case 'RectificationTaskReopened':
        Object.assign(t!, { status: 'in_progress', deadline: e.data.deadline, closedAt: null });
        break;
      case 'RectificationTaskExtensionApproved':
        t!.deadline = e.data.newDeadline;
        break;
    }
  }
  // A deadline falls due at the end of its date in Asia/Shanghai.
  const dueAt = (deadline: string) => Date.parse(`${deadline}T00:00:00+08:00`) + 86_400_000;
  const board = new Map<string, UnitFigures & { days: number[] }>();
  const row = (unitId: string) => {
    if (!board.has(unitId))
      board.set(unitId, {
        open: 0,
        overdue: 0,
        closed: 0,
        closedOnTime: 0,
        closedLate: 0,
        averageDaysToClose: null,
        sendBacks: 0,
        days: [],
      });
    return board.get(unitId)!;
  };
  for (const t of tasks.values()) {
    const r = row(t.lead);
    if (t.status === 'closed') {
      r.closed++;
      if (t.closedAt! < dueAt(t.deadline)) r.closedOnTime++;
      else r.closedLate++;
      r.days.push((t.closedAt! - t.leadSince) / 86_400_000);
    } else if (t.status !== 'cancelled') {
      r.open++;
      if (at.getTime() >= dueAt(t.deadline)) r.overdue++;
    }
  }
  for (const [unitId, n] of sendBacks) row(unitId).sendBacks = n;
  return new Map(
    [...board].map(([unitId, { days, ...figures }]) => [
      unitId,
      {
        ...figures,
        averageDaysToClose: days.length ? Math.round((10 * days.reduce((a, b) => a + b, 0)) / days.length) / 10 : null,
      },
    ]),
  );
}

/** The read model's scoreboard rows in the same shape, by unit. */
export function scoreboardByUnit(rows: ReadonlyArray<UnitFigures & { unitId: string }>): Map<string, UnitFigures> {
  return new Map(
    rows.map((r) => [
      r.unitId,
      {
        open: r.open,
        overdue: r.overdue,
        closed: r.closed,
        closedOnTime: r.closedOnTime,
        closedLate: r.closedLate,
        averageDaysToClose: r.averageDaysToClose,
        sendBacks: r.sendBacks,
      },
    ]),
  );
}
