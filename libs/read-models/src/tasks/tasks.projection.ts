import { Projection, ProjectionSql, StoredEvent } from '@zhenggai/application';
import {
  AssignedRectificationTask,
  RectificationTaskEvent,
  rectificationTaskDecider,
  RectificationTaskState,
  shanghaiDateOf,
} from '@zhenggai/domain';

/**
 * Every version of every task, valid from the instant its event occurred until the next one (SCD type 2):
 * the current rows answer the task list, the deadline view, campaign progress and the scoreboard; the rows
 * valid at a past instant answer the same questions "as of" then. The task's full state (folded with the
 * domain's own `evolve`) is kept once per task for the next batch and for `GET /api/tasks/:id`.
 */
export const tasksProjection: Projection = {
  name: 'tasks',
  // 2: the task state kept per task carries its pinned reminder ladder, deadline version and reminders.
  // 3: each version knows since when its lead unit has led the task and whether a send-back began it, so the
  // scoreboard charges a send-back and the days to close to the unit whose work they were.
  // 4: each version knows its place in a tree (逐级分解): parent, root, depth, the unit that assigned it and how many
  // sub-tasks it was broken into, so that the views roll sub-tasks up to their parents without counting twice.
  // 5: the current rows of the tasks broken down are indexed by parent, for a unit's reach (`OF_UNIT`), which walks
  // them down from the unit's own: with 20,000 tasks, a third of them sub-tasks, that walk scanned every current row
  // at each level (24 ms a query) and now reads the sixth of the rows it walks (9 ms).
  version: 6,
  eventTypePrefixes: ['RectificationTask'],

  async setup(sql: ProjectionSql, schema: string): Promise<void> {
    await sql.query(`
      CREATE TABLE "${schema}".task_versions (
        task_id uuid NOT NULL,
        version integer NOT NULL,
        position bigint NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        status text NOT NULL,
        finding_id uuid NOT NULL,
        title text NOT NULL,
        region_id uuid NOT NULL,
        category text NOT NULL,
        lead_unit_id uuid NOT NULL,
        cooperating_unit_ids uuid[] NOT NULL,
        deadline date NOT NULL,
        original_deadline date NOT NULL,
        campaign_id uuid,
        target_quantity numeric,
        target_unit text,
        quantity_done numeric,
        send_back_count integer NOT NULL,
        reopen_count integer NOT NULL,
        assigned_at timestamptz NOT NULL,
        closed_at timestamptz,
        closed_on_time boolean,
        lead_since timestamptz NOT NULL,
        sent_back boolean NOT NULL,
        sent_back_reason text,
        parent_task_id uuid,
        root_task_id uuid NOT NULL,
        depth integer NOT NULL,
        assigning_unit_id uuid,
        subtask_count integer NOT NULL,
        PRIMARY KEY (task_id, version)
      );
      CREATE INDEX ON "${schema}".task_versions (deadline, task_id) WHERE valid_to IS NULL;
      CREATE INDEX ON "${schema}".task_versions (lead_unit_id, deadline) WHERE valid_to IS NULL;
      CREATE INDEX ON "${schema}".task_versions (campaign_id, valid_from) WHERE campaign_id IS NOT NULL;
      CREATE INDEX ON "${schema}".task_versions (valid_from) WHERE sent_back;
      CREATE INDEX ON "${schema}".task_versions (parent_task_id, valid_from) WHERE parent_task_id IS NOT NULL;
      CREATE INDEX ON "${schema}".task_versions (root_task_id, valid_from);
      CREATE INDEX ON "${schema}".task_versions (parent_task_id) WHERE valid_to IS NULL AND subtask_count > 0;
      CREATE TABLE "${schema}".task_states (
        task_id uuid PRIMARY KEY,
        version integer NOT NULL,
        finding_id uuid NOT NULL,
        assigned_at timestamptz NOT NULL,
        closed_at timestamptz,
        lead_since timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        sent_back_reason text,
        state jsonb NOT NULL
      );
      CREATE INDEX ON "${schema}".task_states (finding_id);
      CREATE TABLE "${schema}".task_deadline_counts (
        lead_unit_id uuid NOT NULL,
        campaign_id uuid NOT NULL,
        region_id uuid NOT NULL,
        status text NOT NULL,
        deadline date NOT NULL,
        closed_on_time boolean NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY (lead_unit_id, campaign_id, region_id, status, deadline, closed_on_time)
      );`);
  },

  views(schema: string) {
    return [
      { name: 'task_versions', select: `SELECT * FROM "${schema}".task_versions` },
      { name: 'tasks', select: `SELECT * FROM "${schema}".task_versions WHERE valid_to IS NULL` },
      { name: 'task_states', select: `SELECT * FROM "${schema}".task_states` },
      { name: 'task_deadline_counts', select: `SELECT * FROM "${schema}".task_deadline_counts` },
    ];
  },

  async apply(sql: ProjectionSql, schema: string, events: readonly StoredEvent[]): Promise<void> {
    const taskIds = [...new Set(events.map((e) => e.data?.taskId as string).filter(Boolean))];
    if (taskIds.length === 0) return;
    const { rows } = await sql.query<TaskStateRow>(
      'SELECT task_id, version, assigned_at, closed_at, lead_since, sent_back_reason, state ' +
        `FROM "${schema}".task_states WHERE task_id = ANY($1::uuid[])`,
      [taskIds],
    );
    const current = new Map<string, Folded>(
      rows.map((r) => [
        r.task_id,
        {
          state: r.state as RectificationTaskState,
          version: r.version,
          assignedAt: iso(r.assigned_at),
          closedAt: r.closed_at ? iso(r.closed_at) : null,
          leadSince: iso(r.lead_since),
          sentBackReason: r.sent_back_reason,
          stored: true,
        },
      ]),
    );
    const closeStored: Array<{ task_id: string; version: number; valid_to: string }> = [];
    const counts = new DeadlineCounts();
    const versions: VersionRow[] = [];
    const lastVersionOf = new Map<string, VersionRow>();

    for (const event of events) {
      const taskId = event.data?.taskId as string | undefined;
      if (!taskId) continue;
      const before = current.get(taskId) ?? {
        state: rectificationTaskDecider.initialState(),
        version: -1,
        assignedAt: '',
        closedAt: null,
        leadSince: '',
        sentBackReason: null,
        stored: false,
      };
      const state = rectificationTaskDecider.evolve(before.state, {
        type: event.type,
        data: event.data,
      } as RectificationTaskEvent);
      if (state === before.state || state.status === 'none') continue;
      const at: string = event.metadata?.occurredAt ?? event.recordedAt;
      const folded: Folded = {
        state,
        version: event.revision,
        assignedAt: event.type === 'RectificationTaskAssigned' ? at : before.assignedAt,
        closedAt: state.status === 'closed' ? (before.state.status === 'closed' ? before.closedAt : at) : null,
        leadSince:
          event.type === 'RectificationTaskAssigned' || event.type === 'RectificationTaskReassigned'
            ? at
            : before.leadSince,
        sentBackReason: sentBackReasonAfter(event, before.sentBackReason),
        stored: before.stored,
      };
      const previous = lastVersionOf.get(taskId);
      if (previous) previous.valid_to = at;
      else if (before.stored) closeStored.push({ task_id: taskId, version: before.version, valid_to: at });
      if (before.state.status !== 'none') counts.add(before.state, before.closedAt, -1);
      counts.add(state, folded.closedAt, +1);
      const row = versionRow(taskId, state, folded, event, at);
      versions.push(row);
      lastVersionOf.set(taskId, row);
      current.set(taskId, folded);
    }
    if (versions.length === 0) return;

    if (closeStored.length > 0) {
      // By primary key (the stored state's version is that of the task's current row), with the task ids also
      // given as an array: without it, the planner, whose statistics lag behind a fast-growing table, would
      // hash every current row of every task to join them with the few closed here.
      await sql.query(
        `UPDATE "${schema}".task_versions v SET valid_to = c.valid_to
           FROM jsonb_to_recordset($1::jsonb) AS c(task_id uuid, version integer, valid_to timestamptz)
          WHERE v.task_id = ANY($2::uuid[]) AND v.task_id = c.task_id AND v.version = c.version AND v.valid_to IS NULL`,
        [JSON.stringify(closeStored), closeStored.map((c) => c.task_id)],
      );
    }
    await sql.query(
      `INSERT INTO "${schema}".task_versions
       SELECT * FROM jsonb_populate_recordset(NULL::"${schema}".task_versions, $1::jsonb)`,
      [JSON.stringify(versions)],
    );
    await counts.save(sql, schema);
    const states = [...lastVersionOf.keys()].map((taskId) => {
      const f = current.get(taskId)!;
      // What only deciding needs (the first assignment, the last progress report) is not kept: the read
      // model only evolves, and the task's page does not show them.
      const { assignment: _assignment, lastProgress: _lastProgress, ...s } = f.state as AssignedRectificationTask;
      return {
        task_id: taskId,
        version: f.version,
        finding_id: s.findingId,
        assigned_at: f.assignedAt,
        closed_at: f.closedAt,
        lead_since: f.leadSince,
        updated_at: lastVersionOf.get(taskId)!.valid_from,
        sent_back_reason: f.sentBackReason,
        state: s,
      };
    });
    await sql.query(
      `INSERT INTO "${schema}".task_states
       SELECT * FROM jsonb_populate_recordset(NULL::"${schema}".task_states, $1::jsonb)
       ON CONFLICT (task_id) DO UPDATE SET version = EXCLUDED.version, closed_at = EXCLUDED.closed_at, lead_since =
         EXCLUDED.lead_since,
         updated_at = EXCLUDED.updated_at, sent_back_reason = EXCLUDED.sent_back_reason, state = EXCLUDED.state`,
      [JSON.stringify(states)],
    );
  },
};

const NO_CAMPAIGN = '00000000-0000-0000-0000-000000000000';

/**
 * How many current tasks there are per lead unit, campaign, region, status, deadline and on-time close (a unit
 * works in few regions, so this stays far smaller than the tasks), from which the 红黄绿灯 summary of a whole view is
 * summed without counting every task.
 */
class DeadlineCounts {
  private readonly deltas = new Map<
    string,
    {
      lead_unit_id: string;
      campaign_id: string;
      region_id: string;
      status: string;
      deadline: string;
      closed_on_time: boolean;
      n: number;
    }
  >();

  add(state: AssignedRectificationTask, closedAt: string | null, n: number): void {
    const closedOnTime = closedAt !== null && shanghaiDateOf(closedAt) <= state.deadline;
    const row = {
      lead_unit_id: state.leadUnitId,
      campaign_id: state.campaignId ?? NO_CAMPAIGN,
      region_id: state.regionId,
      status: state.status,
      deadline: state.deadline,
      closed_on_time: closedOnTime,
    };
    const key = Object.values(row).join('|');
    const delta = this.deltas.get(key) ?? { ...row, n: 0 };
    delta.n += n;
    this.deltas.set(key, delta);
  }

  async save(sql: ProjectionSql, schema: string): Promise<void> {
    const changed = [...this.deltas.values()].filter((d) => d.n !== 0);
    if (changed.length === 0) return;
    await sql.query(
      `INSERT INTO "${schema}".task_deadline_counts AS c
       SELECT * FROM jsonb_populate_recordset(NULL::"${schema}".task_deadline_counts, $1::jsonb)
       ON CONFLICT (lead_unit_id, campaign_id, region_id, status, deadline, closed_on_time) DO UPDATE SET n = c.n +
         EXCLUDED.n`,
      [JSON.stringify(changed)],
    );
    await sql.query(`DELETE FROM "${schema}".task_deadline_counts WHERE n = 0`);
  }
}

interface TaskStateRow {
  task_id: string;
  version: number;
  assigned_at: Date;
  closed_at: Date | null;
  lead_since: Date;
  sent_back_reason: string | null;
  state: unknown;
}

interface Folded {
  readonly state: RectificationTaskState;
  readonly version: number;
  readonly assignedAt: string;
  readonly closedAt: string | null;
  /** When the lead unit was given the task: its assignment, or the reassignment to it. */
  readonly leadSince: string;
  /** While the unit's submission stands sent back (not yet submitted again): the reason given. */
  readonly sentBackReason: string | null;
  readonly stored: boolean;
}

/** 被退回: set by a send-back, cleared by the next submission or by whatever ends the unit's work on it. */
function sentBackReasonAfter(event: StoredEvent, before: string | null): string | null {
  switch (event.type) {
    case 'RectificationTaskSentBack':
      return (event.data.reason as string) ?? '';
    case 'RectificationTaskSubmitted':
    case 'RectificationTaskVerified':
    case 'RectificationTaskCancelled':
    case 'RectificationTaskReassigned':
    case 'RectificationTaskReopened':
      return null;
    default:
      return before;
  }
}

interface VersionRow {
  task_id: string;
  version: number;
  position: string;
  valid_from: string;
  valid_to: string | null;
  status: string;
  finding_id: string;
  title: string;
  region_id: string;
  category: string;
  lead_unit_id: string;
  cooperating_unit_ids: readonly string[];
  deadline: string;
  original_deadline: string;
  campaign_id: string | null;
  target_quantity: number | null;
  target_unit: string | null;
  quantity_done: number | null;
  send_back_count: number;
  reopen_count: number;
  assigned_at: string;
  closed_at: string | null;
  closed_on_time: boolean | null;
  lead_since: string;
  sent_back: boolean;
  sent_back_reason: string | null;
  parent_task_id: string | null;
  root_task_id: string;
  depth: number;
  assigning_unit_id: string | null;
  subtask_count: number;
}

const iso = (d: Date) => d.toISOString();

function versionRow(
  taskId: string,
  state: AssignedRectificationTask,
  folded: Folded,
  event: StoredEvent,
  at: string,
): VersionRow {
  return {
    task_id: taskId,
    version: event.revision,
    position: event.position.toString(),
    valid_from: at,
    valid_to: null,
    status: state.status,
    finding_id: state.findingId,
    title: state.title,
    region_id: state.regionId,
    category: state.category,
    lead_unit_id: state.leadUnitId,
    cooperating_unit_ids: state.cooperatingUnitIds,
    deadline: state.deadline,
    original_deadline: state.originalDeadline,
    campaign_id: state.campaignId,
    target_quantity: state.target?.quantity ?? null,
    target_unit: state.target?.unit ?? null,
    quantity_done: state.quantityDone,
    send_back_count: state.sendBackCount,
    reopen_count: state.reopenCount,
    assigned_at: folded.assignedAt,
    closed_at: folded.closedAt,
    // Fixed once closed: only a reopening (which ends the closed state) can move the deadline again.
    closed_on_time: folded.closedAt === null ? null : shanghaiDateOf(folded.closedAt) <= state.deadline,
    lead_since: folded.leadSince,
    // The send-back's version carries the lead unit whose work was sent back, whoever leads the task later.
    sent_back: event.type === 'RectificationTaskSentBack',
    sent_back_reason: folded.sentBackReason,
    // A task assigned before trees existed has none of the four: it is a top-level task, its own root.
    parent_task_id: state.parentTaskId ?? null,
    root_task_id: state.rootTaskId ?? taskId,
    depth: state.depth ?? 0,
    assigning_unit_id: state.assigningUnitId ?? null,
    // Broken down or not: a task never broken down (most) needs no look below it when its work is rolled up.
    subtask_count: state.subtasks?.length ?? 0,
  };
}
