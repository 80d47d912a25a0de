import { createHash } from 'node:crypto';
import { addToCounts } from '../add-to-counts';
import { sameJsonText } from '../same-json-text';
import { REGION_OF_LEVEL } from '../queries/reach.sql';
import {
  PreparedProjectionBatch,
  Projection,
  ProjectionSql,
  ProjectionWriteSql,
  StoredEvent,
} from '@zhenggai/application';
import {
  AssignedRectificationTask,
  RectificationTaskEvent,
  rectificationTaskDecider,
  RectificationTaskState,
  addDays,
  roundQuantity,
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
  // 5: the current rows of the tasks broken down were indexed by parent, for a unit's reach, which walked them down
  // from the unit's own (since 8, kept as rows: the index is gone).
  // 7: the roll-ups are kept as the events arrive (per task: the shares of its sub-tasks not cancelled and its work
  // rolled up; per unit, campaign, region, status and deadline: the quantities summed; per campaign, region and day:
  // the burndown's changes), so that the views as they stand now read a few hundred rows instead of every task.
  // 8: who reaches each task (逐级分解, rule 5: the units whose own it is, or whose own task lies above it) is kept as
  // rows (unit, task) with the task's status, deadline and on-time close, and counted per unit, status, deadline and
  // on-time close, so that a unit's list reads its own rows in deadline order and sums its lights from its counts,
  // instead of testing every task against its reach.
  // 9: the same tables as 8 became in its last form (the reach rows' light facts, their counts): a store projected
  // with an earlier form of 8 is rebuilt.
  // 10: the current rows and the rows of who reaches what are indexed by status and deadline, so that a list by
  // urgency (overdue, 待签收, 待验收, the other open tasks, the ended ones) reads each status in deadline order.
  // 11: the reminder ladder pinned on a task (the same few ladders on every task) is kept once per ladder, apart from
  // the task's state, which every change of the task writes again (with it, most states were large enough to be
  // compressed on every write); the `task_states` view joins it back in.
  // 12: the per-deadline counts sum the time their closed tasks took to close (from when their lead unit was given
  // them), and the send-backs are counted per lead unit and region, so that the scoreboard as it stands now sums them
  // instead of counting every version.
  // 13: the tables of counts leave half of each page free and have no index but their key, so that adding to a count
  // rewrites its row in place (a HOT update) rather than leaving a dead row and an index entry at every batch (a
  // rebuild of 100,000 tasks left ~60,000 dead rows behind ~1,500 live ones in each); the rows a batch empties are
  // deleted by their keys.
  // 14: the campaign quantities' changes per day (`task_campaign_quantities`), so that the quantity burndown now is
  // summed from them rather than from every version of every task of the campaign.
  // 15: an event that changes nothing a version row holds (a reminder level recorded, a reminder read, an extension
  // asked for or refused) updates the task's state only: no version closed, none added. The state keeps the number of
  // the task's current version row (`row_version`), which is no longer always its revision.
  // 16: each task's number (任务编号) is kept from its assignment: its county, the year it was assigned (Beijing
  // time) and its place among that county's tasks of that year in the order their assignments were stored, so that
  // a ledger reads its numbers with its rows instead of numbering every task of its counties on every export.
  // 17: the numbers are worked out with the batch and copied in, their indexes made once caught up (a catch-up of a
  // million tasks spent half a minute of the database's time keeping them row by row).
  // 18: the views `task_reminder_facts` (what a task's reminders are worked out from, its ladder by id) and
  // `task_ladders`, so that the reminders' reconciliation reads a few hundred bytes of each open task instead of its
  // whole state with its ladder joined in (every 10 minutes, a tenth of the database's time for it at 100,000 tasks).
  // 19: the view `task_measures` (each task's 整改措施 as text), so that a search of the task list reads the measures
  // of the tasks whose title does not match from the state as kept, not from the `task_states` view, which merges
  // every state with its ladder first (a search of 48,580 tasks matching 20,000 by title: 0.66 s → 0.10 s).
  version: 19,
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
      CREATE INDEX ON "${schema}".task_versions (parent_task_id, valid_from) WHERE parent_task_id IS NOT NULL;
      CREATE TABLE "${schema}".task_numbers (
        task_id uuid NOT NULL,
        county_id uuid NOT NULL,
        year integer NOT NULL,
        seq integer NOT NULL
      );
      CREATE TABLE "${schema}".task_states (
        task_id uuid PRIMARY KEY,
        version integer NOT NULL,
        row_version integer NOT NULL,
        finding_id uuid NOT NULL,
        assigned_at timestamptz NOT NULL,
        closed_at timestamptz,
        lead_since timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        sent_back_reason text,
        children_share numeric NOT NULL,
        rolled_done numeric NOT NULL,
        ladder_id text,
        state jsonb NOT NULL
      );
      CREATE TABLE "${schema}".task_ladders (
        ladder_id text PRIMARY KEY,
        policy jsonb NOT NULL
      );
      CREATE TABLE "${schema}".task_deadline_counts (
        lead_unit_id uuid NOT NULL,
        campaign_id uuid NOT NULL,
        region_id uuid NOT NULL,
        status text NOT NULL,
        deadline date NOT NULL,
        closed_on_time boolean NOT NULL,
        parent_region_id uuid NOT NULL,
        target_unit text NOT NULL,
        n integer NOT NULL,
        target_n integer NOT NULL,
        own_target numeric NOT NULL,
        done_n integer NOT NULL,
        own_done numeric NOT NULL,
        top_target numeric NOT NULL,
        top_done numeric NOT NULL,
        closing_ms bigint NOT NULL,
        PRIMARY KEY (lead_unit_id, campaign_id, region_id, status, deadline, closed_on_time, parent_region_id,
          target_unit)
      ) WITH (fillfactor = 50);
      CREATE TABLE "${schema}".task_send_back_counts (
        lead_unit_id uuid NOT NULL,
        region_id uuid NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY (lead_unit_id, region_id)
      );
      CREATE TABLE "${schema}".task_reach (
        unit_id uuid NOT NULL,
        task_id uuid NOT NULL,
        below boolean NOT NULL,
        status text NOT NULL,
        deadline date NOT NULL,
        closed_on_time boolean NOT NULL,
        PRIMARY KEY (unit_id, task_id)
      );
      CREATE INDEX ON "${schema}".task_reach (task_id);
      CREATE TABLE "${schema}".task_reach_counts (
        unit_id uuid NOT NULL,
        status text NOT NULL,
        deadline date NOT NULL,
        closed_on_time boolean NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY (unit_id, status, deadline, closed_on_time)
      ) WITH (fillfactor = 50);
      CREATE TABLE "${schema}".task_campaign_days (
        campaign_id uuid NOT NULL,
        region_id uuid NOT NULL,
        day date NOT NULL,
        open integer NOT NULL,
        closed integer NOT NULL,
        overdue integer NOT NULL,
        PRIMARY KEY (campaign_id, region_id, day)
      ) WITH (fillfactor = 50);
      CREATE TABLE "${schema}".task_campaign_quantities (
        campaign_id uuid NOT NULL,
        region_id uuid NOT NULL,
        parent_region_id uuid NOT NULL,
        target_unit text NOT NULL,
        day date NOT NULL,
        n integer NOT NULL,
        target numeric NOT NULL,
        done numeric NOT NULL,
        PRIMARY KEY (campaign_id, region_id, parent_region_id, target_unit, day)
      ) WITH (fillfactor = 50);`);
  },

  // Named as PostgreSQL named them when they were made with the tables (versions 10–12), so that a generation built
  // then has them already.
  readIndexes(schema: string) {
    const index = (name: string, on: string, unique = false) => ({ name, on: `ON "${schema}".${on}`, unique });
    return [
      index('task_versions_deadline_task_id_idx', 'task_versions (deadline, task_id) WHERE valid_to IS NULL'),
      index(
        'task_versions_status_deadline_task_id_idx',
        'task_versions (status, deadline, task_id) WHERE valid_to IS NULL',
      ),
      index('task_versions_lead_unit_id_deadline_idx', 'task_versions (lead_unit_id, deadline) WHERE valid_to IS NULL'),
      index(
        'task_versions_campaign_id_valid_from_idx',
        'task_versions (campaign_id, valid_from) WHERE campaign_id IS NOT NULL',
      ),
      index('task_versions_valid_from_idx', 'task_versions (valid_from) WHERE sent_back'),
      index('task_versions_root_task_id_valid_from_idx', 'task_versions (root_task_id, valid_from)'),
      index('task_states_finding_id_idx', 'task_states (finding_id)'),
      index('task_reach_unit_id_deadline_task_id_idx', 'task_reach (unit_id, deadline, task_id)'),
      index('task_reach_unit_id_status_deadline_task_id_idx', 'task_reach (unit_id, status, deadline, task_id)'),
      index(
        'task_reach_unit_id_deadline_task_id_idx1',
        "task_reach (unit_id, deadline, task_id) WHERE status NOT IN ('closed', 'cancelled')",
      ),
      // Unique: a task has one number, and no two tasks share one.
      index('task_numbers_task_id_idx', 'task_numbers (task_id)', true),
      index('task_numbers_county_id_year_seq_idx', 'task_numbers (county_id, year, seq)', true),
    ];
  },

  views(schema: string) {
    return [
      { name: 'task_versions', select: `SELECT * FROM "${schema}".task_versions` },
      { name: 'tasks', select: `SELECT * FROM "${schema}".task_versions WHERE valid_to IS NULL` },
      {
        name: 'task_states',
        // The state as the domain folds it: with its pinned ladder (a task assigned without one has none).
        select: `SELECT s.task_id, s.version, s.finding_id, s.assigned_at, s.closed_at, s.lead_since, s.updated_at,
            s.sent_back_reason, s.children_share, s.rolled_done,
            CASE WHEN l.policy IS NULL THEN s.state ELSE s.state || jsonb_build_object('reminderPolicy', l.policy) END
              AS state
          FROM "${schema}".task_states s LEFT JOIN "${schema}".task_ladders l ON l.ladder_id = s.ladder_id`,
      },
      {
        name: 'task_reminder_facts',
        // What a task's reminders are worked out from (`TaskReminderFacts`), its ladder by id (`task_ladders`).
        select: `SELECT task_id, ladder_id, state->>'status' AS status, state->>'deadline' AS deadline,
            (state->>'deadlineVersion')::integer AS deadline_version, state->'reminders' AS reminders
          FROM "${schema}".task_states`,
      },
      { name: 'task_ladders', select: `SELECT * FROM "${schema}".task_ladders` },
      {
        name: 'task_measures',
        // 整改措施 as a search reads it: the text alone, without the ladder `task_states` merges into every state.
        select: `SELECT task_id, state->>'measures' AS measures FROM "${schema}".task_states`,
      },
      { name: 'task_numbers', select: `SELECT * FROM "${schema}".task_numbers` },
      { name: 'task_deadline_counts', select: `SELECT * FROM "${schema}".task_deadline_counts` },
      { name: 'task_send_back_counts', select: `SELECT * FROM "${schema}".task_send_back_counts` },
      { name: 'task_reach', select: `SELECT * FROM "${schema}".task_reach` },
      { name: 'task_reach_counts', select: `SELECT * FROM "${schema}".task_reach_counts` },
      { name: 'task_campaign_days', select: `SELECT * FROM "${schema}".task_campaign_days` },
      { name: 'task_campaign_quantities', select: `SELECT * FROM "${schema}".task_campaign_quantities` },
    ];
  },

  async apply(sql: ProjectionWriteSql, schema: string, events: readonly StoredEvent[]): Promise<void> {
    await (await prepareTasks(sql, schema, events, undefined)).write(sql);
  },

  prepare: (sql, schema, events, carried) => prepareTasks(sql, schema, events, carried as TasksCarry | undefined),
};

/**
 * What a batch hands on to the next one, prepared while it is being written: every task it held (those of the batch
 * and the tasks above them), as they stand after it, with their roll-ups. They count as stored: the next batch is
 * written only once this one has committed.
 */
interface TasksCarry {
  readonly tasks: ReadonlyMap<string, Folded>;
  readonly rollUps: ReadonlyMap<string, RollUp>;
  readonly numbering: NumberingCarry | undefined;
}

const NOTHING_TO_WRITE: PreparedProjectionBatch = { write: async () => undefined, carry: undefined };

/**
 * The batch folded in memory (the tasks' stored states read through `sql`, or taken from `carried`), with every row,
 * count and change worked out; `write` then writes them. Nothing the answer holds is changed after it is returned (the
 * carry holds copies), so the next batch can be prepared while this one is written.
 */
async function prepareTasks(
  sql: ProjectionSql,
  schema: string,
  events: readonly StoredEvent[],
  carried: TasksCarry | undefined,
): Promise<PreparedProjectionBatch> {
  const taskIds = [...new Set(events.map((e) => e.data?.taskId as string).filter(Boolean))];
  if (taskIds.length === 0) return NOTHING_TO_WRITE;
  const current = new Map<string, Folded>();
  const rollUps = new Map<string, RollUp>();
  // The tasks of the batch and every task above them (their roll-ups change with them), as stored (or as the batch
  // before, not committed yet, left them).
  const parentsNamed = events
    .filter((e) => e.type === 'RectificationTaskAssigned' && e.data?.parentTaskId)
    .map((e) => e.data.parentTaskId as string);
  for (let wanted = [...new Set([...taskIds, ...parentsNamed])]; wanted.length > 0;) {
    const above: string[] = [];
    const toRead: string[] = [];
    for (const id of wanted) {
      const folded = carried?.tasks.get(id);
      if (folded === undefined) {
        toRead.push(id);
        continue;
      }
      current.set(id, folded);
      rollUps.set(id, { ...carried!.rollUps.get(id)! });
      above.push((folded.state as AssignedRectificationTask).parentTaskId ?? '');
    }
    const { rows } =
      toRead.length === 0
        ? { rows: [] as TaskStateRow[] }
        : await sql.query<TaskStateRow>(
            'SELECT task_id, version, row_version, assigned_at, closed_at, lead_since, updated_at, sent_back_reason, ' +
              `children_share, rolled_done, ladder_id, state FROM "${schema}".task_states ` +
              'WHERE task_id = ANY($1::uuid[])',
            [toRead],
          );
    for (const r of rows) {
      current.set(r.task_id, {
        state: r.state as RectificationTaskState,
        version: r.version,
        rowVersion: r.row_version,
        assignedAt: iso(r.assigned_at),
        closedAt: r.closed_at ? iso(r.closed_at) : null,
        leadSince: iso(r.lead_since),
        since: iso(r.updated_at),
        sentBackReason: r.sent_back_reason,
        ladderId: r.ladder_id,
        stored: true,
      });
      rollUps.set(r.task_id, { childrenShare: Number(r.children_share), rolledDone: Number(r.rolled_done) });
      above.push((r.state as AssignedRectificationTask).parentTaskId ?? '');
    }
    wanted = [...new Set(above.filter(isId))].filter((id) => !current.has(id));
  }
  // What each stored task counted for before the batch; the counts change by the difference at its end.
  const countedBefore = new Map([...current].map(([id, f]) => [id, countedAs(f, rollUps.get(id)!, current)]));
  const closeStored: Array<{ task_id: string; version: number; valid_to: string }> = [];
  const days = new CampaignDays();
  const quantities = new CampaignQuantities();
  const versions: VersionRow[] = [];
  /** The versions this batch added, the last of each task (its `valid_to` is set when the next one begins). */
  const lastVersionOf = new Map<string, VersionRow>();
  /** What each task's current version row holds, as far as this batch has looked (see `sameContent`). */
  const currentContent = new Map<string, VersionRow>();
  /** Every task whose state the batch changed (with a new version or without). */
  const changed = new Set<string>();
  const rolledUpChanged = new Set<string>();
  /** Tasks whose own units changed (assigned, reassigned): who reaches them, and the tasks below them, changes. */
  const unitsChanged = new Set<string>();
  const reassigned = new Set<string>();
  const ladders = new Ladders();
  const numbers = new TaskNumbers(carried?.numbering);

  for (const event of events) {
    const taskId = event.data?.taskId as string | undefined;
    if (!taskId) continue;
    const before = current.get(taskId) ?? {
      state: rectificationTaskDecider.initialState(),
      version: -1,
      rowVersion: -1,
      assignedAt: '',
      closedAt: null,
      leadSince: '',
      since: '',
      sentBackReason: null,
      ladderId: null,
      stored: false,
    };
    const state = rectificationTaskDecider.evolve(before.state, {
      type: event.type,
      data: event.data,
    } as RectificationTaskEvent);
    if (state === before.state || state.status === 'none') continue;
    const at: string = event.metadata?.occurredAt ?? event.recordedAt;
    const assignedAt = event.type === 'RectificationTaskAssigned' ? at : before.assignedAt;
    const closedAt = state.status === 'closed' ? (before.state.status === 'closed' ? before.closedAt : at) : null;
    const leadSince =
      event.type === 'RectificationTaskAssigned' || event.type === 'RectificationTaskReassigned'
        ? at
        : before.leadSince;
    const sentBackReason = sentBackReasonAfter(event, before.sentBackReason);
    const ladderId = event.type === 'RectificationTaskAssigned' ? ladders.pin(state) : before.ladderId;
    if (event.type === 'RectificationTaskAssigned')
      numbers.assigned(taskId, (state as AssignedRectificationTask).regionId, at);
    const row = versionRow(taskId, state, { assignedAt, closedAt, leadSince, sentBackReason });
    const contentBefore =
      before.state.status === 'none'
        ? undefined
        : (currentContent.get(taskId) ?? versionRow(taskId, before.state, before));
    // Nothing a version row holds changed (a reminder level recorded, an extension asked for): the state only.
    const sameVersion =
      contentBefore !== undefined && event.type !== 'RectificationTaskSentBack' && sameContent(row, contentBefore);
    const folded: Folded = {
      state,
      version: event.revision,
      rowVersion: sameVersion ? before.rowVersion : event.revision,
      assignedAt,
      closedAt,
      leadSince,
      since: sameVersion ? before.since : at,
      sentBackReason,
      ladderId,
      stored: before.stored,
    };
    changed.add(taskId);
    if (!sameVersion) {
      const previous = lastVersionOf.get(taskId);
      if (previous) previous.valid_to = at;
      else if (before.stored) closeStored.push({ task_id: taskId, version: before.rowVersion, valid_to: at });
      if (before.state.status !== 'none') days.ended(before.state, before.since, at);
      days.started(state, at);
      row.version = event.revision;
      row.position = event.position.toString();
      row.valid_from = at;
      // The send-back's version carries the lead unit whose work was sent back, whoever leads the task later.
      row.sent_back = event.type === 'RectificationTaskSentBack';
      versions.push(row);
      lastVersionOf.set(taskId, row);
      currentContent.set(taskId, row);
    } else if (!currentContent.has(taskId)) currentContent.set(taskId, contentBefore);
    const quantitiesBefore = quantities.before(taskId, before, state, current, rollUps);
    current.set(taskId, folded);
    for (const id of rollUp(taskId, before.state, state, current, rollUps)) rolledUpChanged.add(id);
    if (quantitiesBefore) quantities.after(quantitiesBefore, current, rollUps, days.dateOf(at));
    if (event.type === 'RectificationTaskAssigned' || event.type === 'RectificationTaskReassigned')
      unitsChanged.add(taskId);
    if (event.type === 'RectificationTaskReassigned') reassigned.add(taskId);
  }
  if (changed.size === 0) return NOTHING_TO_WRITE;
  const numbering = await numbers.number(sql, schema);

  const counts = new DeadlineCounts();
  const countedAfter = new Map([...current].map(([id, f]) => [id, countedAs(f, rollUps.get(id)!, current)]));
  for (const id of current.keys()) {
    const before = countedBefore.get(id);
    const after = countedAfter.get(id);
    if (before && after && before.key === after.key && sameFigures(before.figures, after.figures)) continue;
    if (before) counts.add(before, -1);
    if (after) counts.add(after, +1);
  }
  const sendBacks = sendBacksOf(versions);
  const reach = reachOf(unitsChanged, reassigned, current);
  // The tasks whose lights' facts moved (not those whose reach was just written with them): their reach rows follow.
  const lightsMoved = [...changed].filter((id) => {
    const before = countedBefore.get(id)?.row;
    const after = countedAfter.get(id)?.row;
    return (
      !unitsChanged.has(id) &&
      before !== undefined &&
      after !== undefined &&
      (before.status !== after.status ||
        before.deadline !== after.deadline ||
        before.closed_on_time !== after.closed_on_time)
    );
  });
  const lightsNow = new Map(lightsMoved.map((id) => [id, lightFacts(current.get(id)!)]));
  const states = [...changed].map((taskId) => {
    const f = current.get(taskId)!;
    // What only deciding needs (the first assignment, the last progress report) is not kept: the read
    // model only evolves, and the task's page does not show them.
    // The pinned ladder is kept apart, once per ladder (see `Ladders`). (Left out as JSON leaves out what is
    // undefined: a copy with all its keys is made far faster than one without some.)
    const s = {
      ...(f.state as AssignedRectificationTask),
      assignment: undefined,
      lastProgress: undefined,
      reminderPolicy: undefined,
    };
    const r = rollUps.get(taskId)!;
    return {
      task_id: taskId,
      version: f.version,
      row_version: f.rowVersion,
      finding_id: s.findingId,
      assigned_at: f.assignedAt,
      closed_at: f.closedAt,
      lead_since: f.leadSince,
      updated_at: f.since,
      sent_back_reason: f.sentBackReason,
      children_share: r.childrenShare,
      rolled_done: r.rolledDone,
      ladder_id: f.ladderId,
      state: s,
    };
  });
  // A task first seen in this batch has no row yet (all of the batch's were read above): it is appended.
  const added = states.filter((state) => !current.get(state.task_id)!.stored);
  const updated = states.filter((state) => current.get(state.task_id)!.stored);
  const aboveOnly = [...rolledUpChanged]
    .filter((id) => !changed.has(id))
    .map((id) => ({
      task_id: id,
      children_share: rollUps.get(id)!.childrenShare,
      rolled_done: rollUps.get(id)!.rolledDone,
    }));
  const carry: TasksCarry = {
    tasks: new Map([...current].map(([id, f]) => [id, f.stored ? f : { ...f, stored: true }])),
    rollUps: new Map([...rollUps].map(([id, r]) => [id, { ...r }])),
    numbering,
  };

  return {
    carry,
    async write(sql: ProjectionWriteSql): Promise<void> {
      if (closeStored.length > 0) {
        // By primary key (the stored state's version is that of the task's current row, the one still open), with the
        // task ids also given as an array: without it, the planner, whose statistics lag behind a fast-growing table,
        // would hash every current row of every task to join them with the few closed here. Not also `valid_to IS
        // NULL`: with it, the planner read the whole of a partial index on the current rows (which grows with the
        // tasks) to find the few task ids, instead of the primary key.
        await sql.query(
          `UPDATE "${schema}".task_versions v SET valid_to = c.valid_to
             FROM json_to_recordset($1::json) AS c(task_id uuid, version integer, valid_to timestamptz)
            WHERE v.task_id = ANY($2::uuid[]) AND v.task_id = c.task_id AND v.version = c.version`,
          [JSON.stringify(closeStored), closeStored.map((c) => c.task_id)],
        );
      }
      if (versions.length > 0) await sql.copyRows(`"${schema}".task_versions`, columnsOf(versions), versions);
      await numbers.save(sql, schema);
      await counts.save(sql, schema);
      await sendBacks.save(sql, schema);
      const reachCounts = new ReachCounts();
      await reach.save(sql, schema, reachCounts);
      if (lightsMoved.length > 0) {
        const { rows: moved } = await sql.query<{ unit_id: string; task_id: string }>(
          `UPDATE "${schema}".task_reach r
              SET status = c.status, deadline = c.deadline, closed_on_time = c.closed_on_time
             FROM json_to_recordset($1::json) AS c(task_id uuid, status text, deadline date, closed_on_time boolean)
            WHERE r.task_id = ANY($2::uuid[]) AND r.task_id = c.task_id
            RETURNING r.unit_id, r.task_id`,
          [JSON.stringify(lightsMoved.map((id) => ({ task_id: id, ...lightsNow.get(id)! }))), lightsMoved],
        );
        for (const { unit_id, task_id } of moved) {
          const { status, deadline, closed_on_time } = countedBefore.get(task_id)!.row;
          reachCounts.add({ unit_id, status, deadline, closed_on_time }, -1);
          reachCounts.add({ unit_id, ...lightsNow.get(task_id)! }, +1);
        }
      }
      await reachCounts.save(sql, schema);
      await days.save(sql, schema);
      await quantities.save(sql, schema);
      await ladders.save(sql, schema);
      await sql.copyRows(`"${schema}".task_states`, columnsOf(states), added);
      if (updated.length > 0)
        await sql.query(
          `UPDATE "${schema}".task_states s SET version = u.version, row_version = u.row_version,
             closed_at = u.closed_at, lead_since = u.lead_since, updated_at = u.updated_at,
             sent_back_reason = u.sent_back_reason, children_share = u.children_share, rolled_done = u.rolled_done,
             state = u.state
            FROM json_populate_recordset(NULL::"${schema}".task_states, $1::json) u
           WHERE s.task_id = ANY($2::uuid[]) AND s.task_id = u.task_id`,
          [JSON.stringify(updated), updated.map((state) => state.task_id)],
        );
      if (aboveOnly.length > 0)
        await sql.query(
          `UPDATE "${schema}".task_states s SET children_share = r.children_share, rolled_done = r.rolled_done
             FROM json_to_recordset($1::json) AS r(task_id uuid, children_share numeric, rolled_done numeric)
            WHERE s.task_id = ANY($2::uuid[]) AND s.task_id = r.task_id`,
          [JSON.stringify(aboveOnly), aboveOnly.map((r) => r.task_id)],
        );
    },
  };
}

/** What a task's light is taken from (with the date asked): its status, deadline and whether it closed on time. */
function lightFacts(folded: Folded): { status: string; deadline: string; closed_on_time: boolean } {
  const state = folded.state as AssignedRectificationTask;
  return {
    status: state.status,
    deadline: state.deadline,
    closed_on_time: folded.closedAt !== null && shanghaiDateOf(folded.closedAt) <= state.deadline,
  };
}

/** The units whose own the task is: it leads it, cooperates on it, or handed it out (the twin of `UNITS_OWN`). */
function ownUnits(state: AssignedRectificationTask): string[] {
  return [state.leadUnitId, ...state.cooperatingUnitIds, state.assigningUnitId].filter(isId);
}

/**
 * Who reaches the tasks whose own units changed: each unit whose own the task is, and (`below`) each unit whose own
 * task lies above it, at any depth, as the tasks stand now (all above a task of the batch are at hand). A task
 * reassigned that was broken down before changes the reach of every task below it too (see `saveReachBelow`). The
 * rows are worked out at once; `save` writes them, and counts what they replace.
 */
function reachOf(
  changed: ReadonlySet<string>,
  reassigned: ReadonlySet<string>,
  tasks: ReadonlyMap<string, Folded>,
): { save(sql: ProjectionWriteSql, schema: string, counts: ReachCounts): Promise<void> } {
  const rows: Array<{ unit_id: string; task_id: string; below: boolean } & ReturnType<typeof lightFacts>> = [];
  for (const taskId of changed) {
    const reach = new Map<string, boolean>(
      ownUnits(tasks.get(taskId)!.state as AssignedRectificationTask).map((u) => [u, false]),
    );
    let above = (tasks.get(taskId)!.state as AssignedRectificationTask).parentTaskId;
    for (const seen = new Set<string>(); isId(above) && tasks.has(above) && !seen.has(above);) {
      seen.add(above);
      const state = tasks.get(above)!.state as AssignedRectificationTask;
      for (const unit of ownUnits(state)) reach.set(unit, true);
      above = state.parentTaskId;
    }
    const facts = lightFacts(tasks.get(taskId)!);
    for (const [unit, below] of reach) rows.push({ unit_id: unit, task_id: taskId, below, ...facts });
  }
  // A task first seen in this batch has no rows yet (most of them, in a rebuild): only the others' are looked for.
  const stored = [...changed].filter((taskId) => tasks.get(taskId)!.stored);
  // Below a task assigned in this batch there are only tasks of this batch, whose reach was just computed.
  const brokenDown = [...reassigned].filter(
    (id) => ((tasks.get(id)!.state as AssignedRectificationTask).subtasks ?? []).length > 0,
  );
  return {
    async save(sql, schema, counts) {
      if (changed.size === 0) return;
      if (stored.length > 0) {
        const gone = await sql.query<ReachFacts>(
          `DELETE FROM "${schema}".task_reach WHERE task_id = ANY($1::uuid[])
           RETURNING unit_id, status, deadline::text AS deadline, closed_on_time`,
          [stored],
        );
        for (const row of gone.rows) counts.add(row, -1);
      }
      await sql.copyRows(`"${schema}".task_reach`, columnsOf(rows), rows);
      for (const row of rows) counts.add(row, +1);
      if (brokenDown.length > 0) await saveReachBelow(sql, schema, brokenDown, counts);
    },
  };
}

/**
 * The reach of every task below tasks reassigned after they were broken down, recomputed from the current rows, in two
 * statements (a rare event: a task is reassigned only once its sub-tasks are done).
 */
async function saveReachBelow(
  sql: ProjectionWriteSql,
  schema: string,
  brokenDown: readonly string[],
  counts: ReachCounts,
): Promise<void> {
  const below = `WITH RECURSIVE sub(task_id) AS (
      SELECT c.task_id FROM "${schema}".task_versions c WHERE c.parent_task_id = ANY($1::uuid[]) AND c.valid_to IS NULL
      UNION
      SELECT c.task_id FROM "${schema}".task_versions c JOIN sub ON c.parent_task_id = sub.task_id
       WHERE c.valid_to IS NULL)`;
  const goneBelow = await sql.query<ReachFacts>(
    `${below} DELETE FROM "${schema}".task_reach WHERE task_id IN (SELECT task_id FROM sub)
     RETURNING unit_id, status, deadline::text AS deadline, closed_on_time`,
    [brokenDown],
  );
  for (const row of goneBelow.rows) counts.add(row, -1);
  const belowNow = await sql.query<ReachFacts>(
    `${below}, up(task_id, above_id, depth) AS (
       SELECT t.task_id, t.task_id, 0 FROM sub t
       UNION ALL
       SELECT up.task_id, a.parent_task_id, up.depth + 1 FROM up
         JOIN "${schema}".task_versions a ON a.task_id = up.above_id AND a.valid_to IS NULL
        WHERE a.parent_task_id IS NOT NULL)
     INSERT INTO "${schema}".task_reach
     SELECT u.unit_id, up.task_id, bool_or(up.depth > 0), t.status, t.deadline, coalesce(t.closed_on_time, false)
       FROM up
       JOIN "${schema}".task_versions a ON a.task_id = up.above_id AND a.valid_to IS NULL
       JOIN "${schema}".task_versions t ON t.task_id = up.task_id AND t.valid_to IS NULL
       CROSS JOIN LATERAL unnest(a.lead_unit_id || a.cooperating_unit_ids || a.assigning_unit_id) AS u(unit_id)
      WHERE u.unit_id IS NOT NULL
      GROUP BY u.unit_id, up.task_id, t.status, t.deadline, t.closed_on_time
     RETURNING unit_id, status, deadline::text AS deadline, closed_on_time`,
    [brokenDown],
  );
  for (const row of belowNow.rows) counts.add(row, +1);
}

/** A row of who reaches what, as its unit's light counts take it. */
interface ReachFacts {
  unit_id: string;
  status: string;
  deadline: string;
  closed_on_time: boolean;
}

/**
 * How many tasks each unit reaches per status, deadline and on-time close: a unit's 红黄绿灯 summed from a few hundred
 * rows, not counted over the tens of thousands of tasks a county's office may reach.
 */
class ReachCounts {
  private readonly deltas = new Map<string, ReachFacts & { n: number }>();

  add(facts: ReachFacts, n: 1 | -1): void {
    const row = {
      unit_id: facts.unit_id,
      status: facts.status,
      deadline: facts.deadline,
      closed_on_time: facts.closed_on_time,
    };
    const key = Object.values(row).join('|');
    const delta = this.deltas.get(key) ?? { ...row, n: 0 };
    delta.n += n;
    this.deltas.set(key, delta);
  }

  async save(sql: ProjectionSql, schema: string): Promise<void> {
    const changed = [...this.deltas.values()].filter((d) => d.n !== 0);
    if (changed.length === 0) return;
    await addToCounts(sql, `"${schema}".task_reach_counts`, {
      key: ['unit_id', 'status', 'deadline', 'closed_on_time'],
      add: ['n'],
      emptied: 'n = 0',
      deltas: changed,
    });
  }
}

const NO_CAMPAIGN = '00000000-0000-0000-0000-000000000000';
/** The parent's region of a top-level task, in the counts' key (which holds no nulls). */
export const NO_PARENT = '00000000-0000-0000-0000-000000000000';

const isId = (id: string | null | undefined): id is string => typeof id === 'string' && id.length > 0;

/** The columns of rows built alike (each row names every column of its table): those of the first. */
const columnsOf = <R extends object>(rows: readonly R[]) =>
  (rows.length === 0 ? [] : Object.keys(rows[0]!)) as Array<keyof R & string>;

/**
 * A task's part in its tree, kept as the events arrive (the twin of `OWN_TARGET` and `ROLLED_UP_DONE`, which
 * compute the same at any past instant from the versions): the shares of its sub-tasks assigned and not cancelled
 * (its own part is its target less these), and its work rolled up (its own reported work plus, for each sub-task
 * verified, that sub-task's rolled-up work; 0 before any).
 */
interface RollUp {
  childrenShare: number;
  rolledDone: number;
}

/**
 * What a task's change (from `before` to `after`) does to the roll-ups: its own reported work moves its rolled-up
 * work; a sub-task assigned, cancelled or brought back moves its share in its parent's; a sub-task verified (or
 * reopened) adds (or takes back) its rolled-up work to its parent's, and on up while the task above is verified
 * itself. Answers the tasks whose roll-up changed.
 */
function rollUp(
  taskId: string,
  before: RectificationTaskState,
  after: AssignedRectificationTask,
  tasks: ReadonlyMap<string, Folded>,
  rollUps: Map<string, RollUp>,
): string[] {
  const own = rollUps.get(taskId) ?? { childrenShare: 0, rolledDone: 0 };
  rollUps.set(taskId, own);
  const changed = [taskId];
  const doneBefore = before.status === 'none' ? 0 : (before.quantityDone ?? 0);
  const contributedBefore = before.status === 'closed' ? own.rolledDone : 0;
  own.rolledDone = roundQuantity(own.rolledDone + (after.quantityDone ?? 0) - doneBefore);
  const parentId = after.parentTaskId;
  if (!isId(parentId) || !rollUps.has(parentId)) return changed;
  const counted = (s: RectificationTaskState) => s.status !== 'none' && s.status !== 'cancelled';
  const shareMoved = (Number(counted(after)) - Number(counted(before))) * (after.target?.quantity ?? 0);
  if (shareMoved !== 0) {
    const parent = rollUps.get(parentId)!;
    parent.childrenShare = roundQuantity(parent.childrenShare + shareMoved);
    changed.push(parentId);
  }
  const moved = (after.status === 'closed' ? own.rolledDone : 0) - contributedBefore;
  for (let id: string | null | undefined = parentId; moved !== 0 && isId(id) && rollUps.has(id);) {
    const above = rollUps.get(id)!;
    above.rolledDone = roundQuantity(above.rolledDone + moved);
    changed.push(id);
    const aboveState = tasks.get(id)!.state as AssignedRectificationTask;
    if (aboveState.status !== 'closed') break;
    id = aboveState.parentTaskId;
  }
  return changed;
}

/** How one current task counts in the per-deadline counts: the row it falls in and what it adds to its sums. */
interface Counted {
  readonly key: string;
  readonly row: CountsKey;
  readonly figures: CountsFigures;
}

interface CountsKey {
  lead_unit_id: string;
  campaign_id: string;
  region_id: string;
  status: string;
  deadline: string;
  closed_on_time: boolean;
  parent_region_id: string;
  target_unit: string;
}

interface CountsFigures {
  n: number;
  target_n: number;
  own_target: number;
  done_n: number;
  own_done: number;
  top_target: number;
  top_done: number;
  /** Closed: the milliseconds from when its lead unit was given the task to its sign-off (the scoreboard's days). */
  closing_ms: number;
}

function countedAs(folded: Folded, rollUp: RollUp, tasks: ReadonlyMap<string, Folded>): Counted | null {
  const state = folded.state;
  if (state.status === 'none') return null;
  const parent = isId(state.parentTaskId) ? tasks.get(state.parentTaskId)?.state : undefined;
  const row: CountsKey = {
    lead_unit_id: state.leadUnitId,
    campaign_id: state.campaignId ?? NO_CAMPAIGN,
    region_id: state.regionId,
    ...lightFacts(folded),
    parent_region_id: parent && parent.status !== 'none' ? parent.regionId : NO_PARENT,
    target_unit: state.target?.unit ?? '',
  };
  const target = state.target?.quantity ?? null;
  return {
    key: Object.values(row).join('|'),
    row,
    figures: {
      n: 1,
      target_n: target === null ? 0 : 1,
      own_target: target === null ? 0 : roundQuantity(target - rollUp.childrenShare),
      done_n: state.quantityDone === null ? 0 : 1,
      own_done: state.quantityDone ?? 0,
      top_target: target ?? 0,
      top_done: rollUp.rolledDone,
      closing_ms:
        state.status === 'closed' && folded.closedAt !== null
          ? Date.parse(folded.closedAt) - Date.parse(folded.leadSince)
          : 0,
    },
  };
}

const FIGURES = [
  'n',
  'target_n',
  'own_target',
  'done_n',
  'own_done',
  'top_target',
  'top_done',
  'closing_ms',
] as const satisfies ReadonlyArray<keyof CountsFigures>;

const sameFigures = (a: CountsFigures, b: CountsFigures) => FIGURES.every((k) => a[k] === b[k]);

/**
 * How many current tasks there are per lead unit, campaign, region, status, deadline, on-time close, parent's region
 * and unit of measure (a unit works in few regions, so this stays far smaller than the tasks), with their quantities
 * summed (each task's own part of its target and its own reported work, each counting once across a tree; the full
 * target and rolled-up work, which count at the top of what a reach holds: see `parent_region_id`). The 红黄绿灯 of a
 * whole view, a campaign's figures by region and unit, and their roll-up by region level are summed from these
 * rows without reading every task.
 */
class DeadlineCounts {
  private readonly deltas = new Map<string, CountsKey & CountsFigures>();

  add(counted: Counted, sign: 1 | -1): void {
    let delta = this.deltas.get(counted.key);
    if (delta === undefined) {
      const row = counted.row;
      // Written out (not spread): a few thousand rows a batch, all of one shape.
      delta = {
        lead_unit_id: row.lead_unit_id,
        campaign_id: row.campaign_id,
        region_id: row.region_id,
        status: row.status,
        deadline: row.deadline,
        closed_on_time: row.closed_on_time,
        parent_region_id: row.parent_region_id,
        target_unit: row.target_unit,
        n: 0,
        target_n: 0,
        own_target: 0,
        done_n: 0,
        own_done: 0,
        top_target: 0,
        top_done: 0,
        closing_ms: 0,
      };
      this.deltas.set(counted.key, delta);
    }
    const figures = counted.figures;
    // The counts are whole numbers; the quantities are rounded as the roll-ups are (see `roundQuantity`).
    delta.n += sign * figures.n;
    delta.target_n += sign * figures.target_n;
    delta.done_n += sign * figures.done_n;
    delta.own_target = roundQuantity(delta.own_target + sign * figures.own_target);
    delta.own_done = roundQuantity(delta.own_done + sign * figures.own_done);
    delta.top_target = roundQuantity(delta.top_target + sign * figures.top_target);
    delta.top_done = roundQuantity(delta.top_done + sign * figures.top_done);
    delta.closing_ms += sign * figures.closing_ms;
  }

  async save(sql: ProjectionSql, schema: string): Promise<void> {
    const changed = [...this.deltas.values()].filter((d) => FIGURES.some((k) => d[k] !== 0));
    if (changed.length === 0) return;
    await addToCounts(sql, `"${schema}".task_deadline_counts`, {
      key: [
        'lead_unit_id',
        'campaign_id',
        'region_id',
        'status',
        'deadline',
        'closed_on_time',
        'parent_region_id',
        'target_unit',
      ],
      add: FIGURES,
      emptied: 'n = 0',
      deltas: changed,
    });
  }
}

/**
 * The send-backs (退回重办) of a batch's versions, per lead unit whose work was sent back and region: summed, the
 * scoreboard's send-backs now, without reading every version. A version is never taken back, so they only grow.
 */
function sendBacksOf(versions: readonly VersionRow[]): { save(sql: ProjectionSql, schema: string): Promise<void> } {
  const deltas = new Map<string, { lead_unit_id: string; region_id: string; n: number }>();
  for (const v of versions) {
    if (!v.sent_back) continue;
    const key = `${v.lead_unit_id}|${v.region_id}`;
    const delta = deltas.get(key) ?? { lead_unit_id: v.lead_unit_id, region_id: v.region_id, n: 0 };
    delta.n += 1;
    deltas.set(key, delta);
  }
  return {
    async save(sql, schema) {
      if (deltas.size === 0) return;
      await sql.query(
        `INSERT INTO "${schema}".task_send_back_counts AS c
         SELECT * FROM json_populate_recordset(NULL::"${schema}".task_send_back_counts, $1::json)
         ON CONFLICT (lead_unit_id, region_id) DO UPDATE SET n = c.n + EXCLUDED.n`,
        [JSON.stringify([...deltas.values()])],
      );
    },
  };
}

/**
 * The burndown's changes per campaign, region and day (Asia/Shanghai), as the burndown query derives them from the
 * versions: a version adds its open (or closed) task on the day it starts and takes it away on the day it ends; an
 * open version counts as overdue from the day after its deadline (or its own first day, if later) until it ends.
 * Summed day by day from the launch, these give the open, closed and overdue tasks at the end of each day.
 */
class CampaignDays {
  private readonly deltas = new Map<
    string,
    { campaign_id: string; region_id: string; day: string; open: number; closed: number; overdue: number }
  >();

  started(state: AssignedRectificationTask, at: string): void {
    this.count(state, at, null, +1);
  }

  ended(state: AssignedRectificationTask, since: string, at: string): void {
    this.count(state, since, at, -1);
  }

  private count(state: AssignedRectificationTask, since: string, endedAt: string | null, sign: 1 | -1): void {
    if (!state.campaignId) return;
    const starts = this.dateOf(since);
    const day = endedAt === null ? starts : this.dateOf(endedAt);
    const open = state.status !== 'closed' && state.status !== 'cancelled';
    this.add(state, day, sign * Number(open), sign * Number(state.status === 'closed'), 0);
    if (!open) return;
    const dayAfterDeadline = this.dayAfter(state.deadline);
    const overdueFrom = starts > dayAfterDeadline ? starts : dayAfterDeadline;
    // Ending: the overdue days stop where it ends, or never began (the +1 at their start is taken back).
    if (endedAt === null) this.add(state, overdueFrom, 0, 0, 1);
    else this.add(state, overdueFrom < day ? day : overdueFrom, 0, 0, -1);
  }

  /** The day of each instant and the day after each deadline, worked out once a batch (a version's start is its
   * predecessor's end; the tasks share few deadlines). */
  private readonly days = new Map<string, string>();
  private readonly daysAfter = new Map<string, string>();

  /** The Shanghai day of an instant, worked out once a batch. */
  dateOf(instant: string): string {
    let day = this.days.get(instant);
    if (day === undefined) this.days.set(instant, (day = shanghaiDateOf(instant)));
    return day;
  }

  private dayAfter(deadline: string): string {
    let day = this.daysAfter.get(deadline);
    if (day === undefined) this.daysAfter.set(deadline, (day = addDays(deadline, 1)));
    return day;
  }

  private add(state: AssignedRectificationTask, day: string, open: number, closed: number, overdue: number): void {
    const key = `${state.campaignId}|${state.regionId}|${day}`;
    const delta = this.deltas.get(key) ?? {
      campaign_id: state.campaignId!,
      region_id: state.regionId,
      day,
      open: 0,
      closed: 0,
      overdue: 0,
    };
    delta.open += open;
    delta.closed += closed;
    delta.overdue += overdue;
    this.deltas.set(key, delta);
  }

  async save(sql: ProjectionSql, schema: string): Promise<void> {
    const changed = [...this.deltas.values()].filter((d) => d.open !== 0 || d.closed !== 0 || d.overdue !== 0);
    if (changed.length === 0) return;
    await addToCounts(sql, `"${schema}".task_campaign_days`, {
      key: ['campaign_id', 'region_id', 'day'],
      add: ['open', 'closed', 'overdue'],
      emptied: 'open = 0 AND closed = 0 AND overdue = 0',
      deltas: changed,
    });
  }
}

/** What a campaign's task adds to its campaign's quantities: where it counts, its full target and rolled-up work. */
interface CampaignQuantity {
  campaign_id: string;
  region_id: string;
  parent_region_id: string;
  target_unit: string;
  target: number;
  done: number;
}

/**
 * The quantity burndown's changes per campaign, region, parent's region, unit of measure and day (Asia/Shanghai): each
 * task of a campaign with a target, not cancelled, adds its full target and rolled-up work (its own and what its
 * sub-tasks have had verified) from the day it was assigned, and each change of either (its own, or from below) moves
 * them on the day it happens. Summed day by day from the launch, over the rows at the top of what a reach holds (see
 * `parent_region_id`), these give each day's figures of `quantityBurndownOf` without reading every version.
 */
class CampaignQuantities {
  private readonly deltas = new Map<string, CampaignQuantity & { day: string; n: number }>();

  /**
   * Before an event of a campaign's task is applied: what the task and the tasks above it (whose rolled-up work it may
   * move) added until then; null for a task of no campaign.
   */
  before(
    taskId: string,
    before: Folded,
    after: AssignedRectificationTask,
    tasks: ReadonlyMap<string, Folded>,
    rollUps: ReadonlyMap<string, RollUp>,
  ): Map<string, CampaignQuantity | null> | null {
    if (!after.campaignId) return null;
    const added = new Map<string, CampaignQuantity | null>([
      [taskId, campaignQuantity(before.state, rollUps.get(taskId)?.rolledDone ?? 0, tasks)],
    ]);
    for (let id = after.parentTaskId; isId(id) && !added.has(id) && tasks.has(id);) {
      const above = tasks.get(id)!.state;
      added.set(id, campaignQuantity(above, rollUps.get(id)?.rolledDone ?? 0, tasks));
      id = above.status === 'none' ? null : above.parentTaskId;
    }
    return added;
  }

  /** Once it is applied: the differences, on the day of the event (Asia/Shanghai). */
  after(
    before: Map<string, CampaignQuantity | null>,
    tasks: ReadonlyMap<string, Folded>,
    rollUps: ReadonlyMap<string, RollUp>,
    day: string,
  ): void {
    for (const [id, was] of before) {
      const now = campaignQuantity(tasks.get(id)!.state, rollUps.get(id)?.rolledDone ?? 0, tasks);
      if (was && now && sameQuantity(was, now)) continue;
      if (was) this.add(was, day, -1);
      if (now) this.add(now, day, +1);
    }
  }

  private add(quantity: CampaignQuantity, day: string, sign: 1 | -1): void {
    const { campaign_id, region_id, parent_region_id, target_unit } = quantity;
    const key = `${campaign_id}|${region_id}|${parent_region_id}|${target_unit}|${day}`;
    let delta = this.deltas.get(key);
    if (delta === undefined) {
      delta = { ...quantity, day, n: 0, target: 0, done: 0 };
      this.deltas.set(key, delta);
    }
    delta.n += sign;
    delta.target = roundQuantity(delta.target + sign * quantity.target);
    delta.done = roundQuantity(delta.done + sign * quantity.done);
  }

  async save(sql: ProjectionSql, schema: string): Promise<void> {
    const changed = [...this.deltas.values()].filter((d) => d.n !== 0 || d.target !== 0 || d.done !== 0);
    if (changed.length === 0) return;
    await addToCounts(sql, `"${schema}".task_campaign_quantities`, {
      key: ['campaign_id', 'region_id', 'parent_region_id', 'target_unit', 'day'],
      add: ['n', 'target', 'done'],
      emptied: 'n = 0 AND target = 0 AND done = 0',
      deltas: changed,
    });
  }
}

/** What a task adds to its campaign's quantities, as it stands with `rolledDone` (null: it adds nothing). */
function campaignQuantity(
  state: RectificationTaskState,
  rolledDone: number,
  tasks: ReadonlyMap<string, Folded>,
): CampaignQuantity | null {
  if (state.status === 'none' || state.status === 'cancelled' || !state.campaignId || !state.target) return null;
  const parent = isId(state.parentTaskId) ? tasks.get(state.parentTaskId)?.state : undefined;
  return {
    campaign_id: state.campaignId,
    region_id: state.regionId,
    parent_region_id: parent && parent.status !== 'none' ? parent.regionId : NO_PARENT,
    target_unit: state.target.unit,
    target: state.target.quantity,
    done: rolledDone,
  };
}

const sameQuantity = (a: CampaignQuantity, b: CampaignQuantity) =>
  a.region_id === b.region_id &&
  a.parent_region_id === b.parent_region_id &&
  a.target_unit === b.target_unit &&
  a.target === b.target &&
  a.done === b.done;

/**
 * 任务编号: each task assigned in a batch gets the next place in its county and year (`LedgerRow.number` spells it).
 * The county is that of the task's region (or the region itself, when it lies above any county), as the directory has
 * it when the batch is worked out: the command that assigned the task found its region there, and a region never
 * moves to another county (a region the directory does not hold yet, its own reaction behind on a store restored into
 * an empty database, holds the batch back until it does). The year is that of the day the task was assigned, in
 * Beijing. Tasks are numbered in the order their assignments were stored, so a rebuild gives every task the number
 * it had, and a task keeps its number whatever is assigned after it.
 *
 * The places are worked out with the batch, and written by COPY: the counties of the batch's regions and the last
 * place of each county and year are read once a batch, and only for those the batch before did not hand on (a
 * catch-up's batches mostly number in counties and years already counted).
 */
class TaskNumbers {
  private readonly assignments: Array<{ taskId: string; regionId: string; year: number }> = [];
  /** The rows to write, once worked out (`number`). */
  private rows: Array<{ task_id: string; county_id: string; year: number; seq: number }> = [];

  constructor(private readonly carried: NumberingCarry | undefined) {}

  assigned(taskId: string, regionId: string, at: string): void {
    this.assignments.push({ taskId, regionId, year: Number(shanghaiDateOf(at).slice(0, 4)) });
  }

  /**
   * Works out the places, reading what the batch before did not hand on; answers what this batch hands on: the
   * counties of the regions seen (a region's county never changes) and the last place of each county and year.
   */
  async number(sql: ProjectionSql, schema: string): Promise<NumberingCarry | undefined> {
    if (this.assignments.length === 0) return this.carried;
    // Shared from batch to batch, only ever added to: what it holds is true whatever is committed.
    const countyOf = this.carried?.countyOf ?? new Map<string, string>();
    const last = new Map(this.carried?.last);
    const unknown = new Map<string, { region: string; year: number }>();
    for (const { regionId, year } of this.assignments) {
      const county = countyOf.get(regionId);
      if (county === undefined || !last.has(`${county}|${year}`))
        unknown.set(`${regionId}|${year}`, { region: regionId, year });
    }
    if (unknown.size > 0) {
      const wanted = [...unknown.values()];
      // The last place once a county and year, by the read index once caught up (a catch-up's batches hand theirs on:
      // it reads them again only when it starts over).
      const { rows } = await sql.query<{
        region_id: string;
        year: number;
        county_id: string | null;
        last: number | null;
      }>(
        `WITH placed AS (
           SELECT w.region_id, w.year,
                  (SELECT coalesce(${REGION_OF_LEVEL('g.id', "'county'")}, g.id) FROM regions g
                    WHERE g.id = w.region_id) AS county_id
             FROM unnest($1::uuid[], $2::int[]) AS w(region_id, year)),
         counted AS (
           SELECT k.county_id, k.year,
                  (SELECT max(n.seq) FROM "${schema}".task_numbers n
                    WHERE n.county_id = k.county_id AND n.year = k.year) AS last
             FROM (SELECT DISTINCT county_id, year FROM placed WHERE county_id IS NOT NULL) k)
         SELECT p.region_id, p.year, p.county_id, c.last
           FROM placed p LEFT JOIN counted c ON c.county_id = p.county_id AND c.year = p.year`,
        [wanted.map((w) => w.region), wanted.map((w) => w.year)],
      );
      // The directory's own reaction has not yet applied the region (a store restored into an empty database, read
      // from the start by both): the batch waits for it (the runner tries again), rather than number the task by a
      // county it cannot tell.
      const missing = [...new Set(rows.filter((r) => r.county_id === null).map((r) => r.region_id))];
      if (missing.length > 0)
        throw new Error(
          `tasks assigned in regions the directory does not hold yet (${missing.join(', ')}): numbered once it does`,
        );
      for (const r of rows) {
        countyOf.set(r.region_id, r.county_id!);
        // What the batch before handed on is newer than what is stored: it may not be committed yet.
        const key = `${r.county_id}|${r.year}`;
        if (!last.has(key)) last.set(key, r.last ?? 0);
      }
    }
    this.rows = this.assignments.map(({ taskId, regionId, year }) => {
      const county = countyOf.get(regionId)!;
      const key = `${county}|${year}`;
      const seq = last.get(key)! + 1;
      last.set(key, seq);
      return { task_id: taskId, county_id: county, year, seq };
    });
    return { countyOf, last };
  }

  async save(sql: ProjectionWriteSql, schema: string): Promise<void> {
    if (this.rows.length > 0) await sql.copyRows(`"${schema}".task_numbers`, NUMBER_COLUMNS, this.rows);
  }
}

const NUMBER_COLUMNS = ['task_id', 'county_id', 'year', 'seq'] as const;

/** What a batch's numbering hands on to the next: the counties of regions (by id), the last places (`county|year`). */
interface NumberingCarry {
  readonly countyOf: Map<string, string>;
  readonly last: ReadonlyMap<string, number>;
}

/**
 * The reminder ladders pinned on the tasks, each kept once under an id taken from its content: a ladder is pinned when
 * its task is assigned and never changes, and the tasks share a few (the default, a campaign's), so a task's state,
 * written again at each of its changes, carries only the id. The state as read (without the ladder) is all the
 * projection folds on: `evolve` carries the ladder along and never reads it.
 */
class Ladders {
  /** The ladders pinned in this batch: their ids by their JSON. */
  private readonly ids = new Map<string, string>();
  /** The same, each with the ladder as it came (the first of its JSON), to know the next one without writing it out. */
  private readonly seen: Array<{ readonly ladder: unknown; readonly id: string }> = [];

  /** The id of the ladder pinned on a task just assigned (null when assigned without one). */
  pin(state: AssignedRectificationTask): string | null {
    const policy = state.reminderPolicy;
    if (policy === undefined || policy === null) return null;
    // Most assignments of a batch carry a ladder seen already (parsed anew with each event): compared field by field,
    // in order, it is known without its JSON (a kilobyte and more) written out again.
    const known = this.seen.find((s) => sameJsonText(s.ladder, policy));
    if (known !== undefined) return known.id;
    const text = JSON.stringify(policy);
    let id = this.ids.get(text);
    if (id === undefined) {
      id = createHash('sha256').update(text).digest('base64url');
      this.ids.set(text, id);
    }
    this.seen.push({ ladder: policy, id });
    return id;
  }

  async save(sql: ProjectionSql, schema: string): Promise<void> {
    if (this.ids.size === 0) return;
    await sql.query(
      `INSERT INTO "${schema}".task_ladders
       SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (ladder_id) DO NOTHING`,
      [[...this.ids.values()], [...this.ids.keys()]],
    );
  }
}

interface TaskStateRow {
  task_id: string;
  version: number;
  row_version: number;
  assigned_at: Date;
  closed_at: Date | null;
  lead_since: Date;
  updated_at: Date;
  sent_back_reason: string | null;
  children_share: string;
  rolled_done: string;
  ladder_id: string | null;
  state: unknown;
}

interface Folded {
  readonly state: RectificationTaskState;
  /** The task's revision: that of the last event that changed its state. */
  readonly version: number;
  /** The version of its current version row: the last event that changed what a version row holds. */
  readonly rowVersion: number;
  readonly assignedAt: string;
  readonly closedAt: string | null;
  /** When the lead unit was given the task: its assignment, or the reassignment to it. */
  readonly leadSince: string;
  /** When its current version began. */
  readonly since: string;
  /** While the unit's submission stands sent back (not yet submitted again): the reason given. */
  readonly sentBackReason: string | null;
  /** Its pinned reminder ladder's id in `task_ladders` (null: assigned without one). */
  readonly ladderId: string | null;
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

/** What a version row holds of the task as it stands: all but which version it is, from when, and its event's kind. */
const CONTENT_KEYS = [
  'task_id',
  'status',
  'finding_id',
  'title',
  'region_id',
  'category',
  'lead_unit_id',
  'cooperating_unit_ids',
  'deadline',
  'original_deadline',
  'campaign_id',
  'target_quantity',
  'target_unit',
  'quantity_done',
  'send_back_count',
  'reopen_count',
  'assigned_at',
  'closed_at',
  'closed_on_time',
  'lead_since',
  'sent_back_reason',
  'parent_task_id',
  'root_task_id',
  'depth',
  'assigning_unit_id',
  'subtask_count',
] as const satisfies ReadonlyArray<keyof VersionRow>;

/**
 * The version row of the task as it stands, its version, position, start and kind still to be set (a version is
 * added only when what it holds changed: see `sameContent`). Every field is written out in one literal, in the table's
 * order: the rows of a batch, tens of thousands, share one shape, which keeps reading them (to compare, to COPY) fast.
 */
function versionRow(
  taskId: string,
  state: RectificationTaskState,
  folded: Pick<Folded, 'assignedAt' | 'closedAt' | 'leadSince' | 'sentBackReason'>,
): VersionRow {
  const task = state as AssignedRectificationTask;
  return {
    task_id: taskId,
    version: 0,
    position: '',
    valid_from: '',
    valid_to: null,
    status: task.status,
    finding_id: task.findingId,
    title: task.title,
    region_id: task.regionId,
    category: task.category,
    lead_unit_id: task.leadUnitId,
    cooperating_unit_ids: task.cooperatingUnitIds,
    deadline: task.deadline,
    original_deadline: task.originalDeadline,
    campaign_id: task.campaignId,
    target_quantity: task.target?.quantity ?? null,
    target_unit: task.target?.unit ?? null,
    quantity_done: task.quantityDone,
    send_back_count: task.sendBackCount,
    reopen_count: task.reopenCount,
    assigned_at: folded.assignedAt,
    closed_at: folded.closedAt,
    // Fixed once closed: only a reopening (which ends the closed state) can move the deadline again.
    closed_on_time: folded.closedAt === null ? null : shanghaiDateOf(folded.closedAt) <= task.deadline,
    lead_since: folded.leadSince,
    sent_back: false,
    sent_back_reason: folded.sentBackReason,
    // A task assigned before trees existed has none of the four: it is a top-level task, its own root.
    parent_task_id: task.parentTaskId ?? null,
    root_task_id: task.rootTaskId ?? taskId,
    depth: task.depth ?? 0,
    assigning_unit_id: task.assigningUnitId ?? null,
    // Broken down or not: a task never broken down (most) needs no look below it when its work is rolled up.
    subtask_count: task.subtasks?.length ?? 0,
  };
}

/** Whether two version rows hold the same of their task (whichever versions they are). */
function sameContent(a: VersionRow, b: VersionRow): boolean {
  for (const key of CONTENT_KEYS) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  return true;
}
