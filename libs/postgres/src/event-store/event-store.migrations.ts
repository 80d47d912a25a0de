import type { Migration } from '../migrations/migration';

// Advisory lock taken for a few microseconds by every append, see `append_to_stream`. Arbitrary constant.
const POSITION_ORDER_LOCK_KEY = 7_213_650_002;

/**
 * The event store's schema.
 *
 * `events` holds every event; the database itself enforces one event per (stream, revision) and unique
 * event ids. `streams` holds each stream's current revision, so that the expected-revision check is a
 * compare-and-set on one row instead of a look at the stream's last event.
 *
 * `append_to_stream` appends in one round trip. Readers by position only see events whose transaction
 * is older than every transaction still running (`transaction_id < pg_snapshot_xmin(...)`); that is only
 * safe if positions follow transaction ids, which is what the short lock around taking the transaction id
 * and the positions guarantees (see the function's comment).
 */
export const eventStoreMigrations: readonly Migration[] = [
  {
    id: 'event-store-001-events',
    sql: `
      CREATE TABLE streams (
        stream_name text PRIMARY KEY,
        revision bigint NOT NULL CHECK (revision >= 0)
      );

      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_name text NOT NULL,
        stream_revision bigint NOT NULL CHECK (stream_revision >= 0),
        event_id uuid NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_name, stream_revision),
        CONSTRAINT events_event_id_key UNIQUE (event_id)
      );

      -- p_expected: 'any', 'no_stream', 'stream_exists' or a revision number.
      -- p_events: a JSON array of {id, type, data, metadata}.
      -- Returns the stream's new revision and the last event's position, or, when the expected revision
      -- does not hold, nulls and the stream's current revision (null when the stream does not exist).
      -- Must be the first write of its transaction (our adapter calls it alone, in autocommit): the
      -- ordering below needs the transaction id to be taken inside the lock.
      CREATE FUNCTION append_to_stream(p_stream_name text, p_expected text, p_events jsonb)
      RETURNS TABLE (next_revision bigint, last_position bigint, current_revision bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count int := jsonb_array_length(p_events);
        v_transaction_id xid8;
        v_positions bigint[];
        v_revision bigint;
      BEGIN
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION 'append_to_stream must be the first write of its transaction'
            USING ERRCODE = 'invalid_transaction_state';
        END IF;
        -- Positions must grow with transaction ids: a reader that takes the events of transactions older
        -- than the oldest one running would otherwise pass a position that a running transaction, whose id
        -- is older than a committed one's, is about to commit. Taking the transaction id and the positions
        -- under one lock, released at once (not at commit, so commits still overlap), makes both orders
        -- the same. The handler releases the session lock if anything interrupts.
        BEGIN
          PERFORM pg_advisory_lock(${POSITION_ORDER_LOCK_KEY});
          v_transaction_id := pg_current_xact_id();
          v_positions := ARRAY(SELECT nextval('events_global_position_seq') FROM generate_series(1, v_count));
          PERFORM pg_advisory_unlock(${POSITION_ORDER_LOCK_KEY});
        EXCEPTION
          WHEN query_canceled THEN
            PERFORM pg_advisory_unlock(${POSITION_ORDER_LOCK_KEY});
            RAISE;
          WHEN OTHERS THEN
            PERFORM pg_advisory_unlock(${POSITION_ORDER_LOCK_KEY});
            RAISE;
        END;

        IF p_expected = 'any' THEN
          INSERT INTO streams AS s (stream_name, revision) VALUES (p_stream_name, v_count - 1)
          ON CONFLICT (stream_name) DO UPDATE SET revision = s.revision + v_count
          RETURNING s.revision INTO v_revision;
        ELSIF p_expected = 'no_stream' THEN
          INSERT INTO streams AS s (stream_name, revision) VALUES (p_stream_name, v_count - 1)
          ON CONFLICT (stream_name) DO NOTHING
          RETURNING s.revision INTO v_revision;
        ELSIF p_expected = 'stream_exists' THEN
          UPDATE streams AS s SET revision = s.revision + v_count WHERE s.stream_name = p_stream_name
          RETURNING s.revision INTO v_revision;
        ELSE
          UPDATE streams AS s SET revision = s.revision + v_count
          WHERE s.stream_name = p_stream_name AND s.revision = p_expected::bigint
          RETURNING s.revision INTO v_revision;
        END IF;

        IF v_revision IS NULL THEN
          RETURN QUERY SELECT NULL::bigint, NULL::bigint, (SELECT s.revision FROM streams s WHERE s.stream_name = p_stream_name);
          RETURN;
        END IF;

        INSERT INTO events (global_position, stream_name, stream_revision, event_id, type, data, metadata, transaction_id)
        OVERRIDING SYSTEM VALUE
        SELECT v_positions[e.ordinality], p_stream_name, v_revision - v_count + e.ordinality,
               (e.value ->> 'id')::uuid, e.value ->> 'type', e.value -> 'data', e.value -> 'metadata',
               v_transaction_id
        FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(value, ordinality);

        RETURN QUERY SELECT v_revision, v_positions[v_count], v_revision;
      END;
      $fn$;
    `,
  },
];
