import { VALID_AT } from './traffic-light.sql';

/**
 * 逐级分解 in SQL: how a task row's quantities relate to its sub-tasks' (the versions valid at `at`). A task keeps
 * only its own unit's reported work (`quantity_done`); its sub-tasks hold shares of its target.
 */

/**
 * The task row `alias`'s own part of its target: the target less the shares of its sub-tasks not cancelled (all of
 * it for a task never broken down). What the unit answers for itself at its level.
 */
export const OWN_TARGET = (alias: string, at: string) => `CASE WHEN ${alias}.subtask_count = 0
    THEN ${alias}.target_quantity
    ELSE ${alias}.target_quantity - coalesce((SELECT sum(c.target_quantity) FROM read_models.task_versions c
      WHERE c.parent_task_id = ${alias}.task_id AND ${VALID_AT('c', at)} AND c.status <> 'cancelled'), 0) END`;

/**
 * The task row `alias`'s quantity done, rolled up: its own reported work plus, for each of its sub-tasks verified
 * (closed) at `at`, that sub-task's rolled-up quantity, recursively. A sub-task's work thus counts once, at every
 * level above it only once it has been verified; null when nothing in the tree reports a quantity.
 */
export const ROLLED_UP_DONE = (alias: string, at: string) => `CASE WHEN ${alias}.subtask_count = 0
    THEN ${alias}.quantity_done
    ELSE (WITH RECURSIVE below(task_id, done) AS (
            SELECT ${alias}.task_id, ${alias}.quantity_done
            UNION ALL
            SELECT c.task_id, c.quantity_done FROM below
              JOIN read_models.task_versions c ON c.parent_task_id = below.task_id AND ${VALID_AT('c', at)}
             WHERE c.status = 'closed')
          SELECT sum(done) FROM below) END`;
