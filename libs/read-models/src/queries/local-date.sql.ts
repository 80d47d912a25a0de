/**
 * The end of the day `date` (an SQL date) in Asia/Shanghai, as a timestamptz: the instant a deadline on that date
 * falls due. The SQL twin of the domain's `dueInstant`, and the one place the read models turn a date into an
 * instant.
 */
export const END_OF_DAY = (date: string) => `((${date} + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`;

/** The Asia/Shanghai date of the instant `instant` (an SQL timestamptz): the twin of the domain's `shanghaiDateOf`. */
export const DATE_OF = (instant: string) => `(${instant} AT TIME ZONE 'Asia/Shanghai')::date`;

/**
 * An instant (an SQL timestamptz) as whole milliseconds since 1970 (int8, exact: truncated as JavaScript's Date
 * truncates), which a row turns into an instant without parsing PostgreSQL's own text for it.
 */
export const EPOCH_MS = (instant: string) =>
  `(extract(epoch FROM date_trunc('milliseconds', ${instant})) * 1000)::int8`;
