import type { Migration } from '../migrations/migration';

// Advisory lock taken for a few microseconds by every append, see `append_to_stream`. Arbitrary constant.
const POSITION_ORDER_LOCK_KEY = 7_213_650_002;
// First half of the two-key advisory lock an append holds on its stream until it commits (the second half is
// the stream name's hash); two-key locks never collide with one-key ones. Arbitrary constant.
export const STREAM_APPEND_LOCK_CLASS = 72_136;

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
 *
 * The hash chain of `hash-chain.ts` (in @zhenggai/application): each event stores the hash of its stream's
 * previous event and its own. The adapter sends each event's content digest, computed in Node;
 * `append_to_stream` finds the hash stored at the revision before the first new one and chains the batch in
 * the same statement that assigns the revisions, so an `any` append chains onto whatever event actually
 * precedes it. `hash` stays nullable: a row written around `append_to_stream` (by hand, or by the read-side
 * benchmark's bulk load) has none, and verification names it.
 */
export const eventStoreMigrations: readonly Migration[] = [
  {
    id: 'event-store-001-schema',
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
        previous_hash text,
        hash text,
        CONSTRAINT events_stream_revision_key UNIQUE (stream_name, stream_revision),
        CONSTRAINT events_event_id_key UNIQUE (event_id)
      );

      -- p_expected: 'any', 'no_stream', 'stream_exists' or a revision number.
      -- p_events: a JSON array of {id, type, data, metadata, digest}, digest being the event's content digest
      -- (64 hex digits, see hash-chain.ts).
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
        v_first bigint;
        v_digest text;
        v_previous text;
        v_previous_hashes text[] := '{}';
        v_hashes text[] := '{}';
      BEGIN
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION 'append_to_stream must be the first write of its transaction'
            USING ERRCODE = 'invalid_transaction_state';
        END IF;
        IF EXISTS (SELECT FROM jsonb_array_elements(p_events) AS e(value) WHERE e.value ->> 'digest' IS NULL) THEN
          RAISE EXCEPTION 'append_to_stream needs the content digest of each event'
            USING ERRCODE = 'invalid_parameter_value';
        END IF;
        -- The append locks its stream until it commits, before it takes its positions: without it, two
        -- concurrent 'any' appends to one stream could take positions in one order and revisions in the other,
        -- so that a reader in position order met a stream's revisions out of order.
        PERFORM pg_advisory_xact_lock(${STREAM_APPEND_LOCK_CLASS}, hashtext(p_stream_name));
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
          RETURN QUERY SELECT NULL::bigint, NULL::bigint, (SELECT s.revision FROM streams s WHERE s.stream_name =
            p_stream_name);
          RETURN;
        END IF;

        v_first := v_revision - v_count + 1;
        IF v_first > 0 THEN
          SELECT e.hash INTO v_previous FROM events e
          WHERE e.stream_name = p_stream_name AND e.stream_revision = v_first - 1;
          IF v_previous IS NULL THEN
            RAISE EXCEPTION 'cannot chain revision % of %: the event before it is missing or has no hash',
              v_first, p_stream_name
              USING ERRCODE = 'data_corrupted';
          END IF;
        END IF;
        FOR i IN 1 .. v_count LOOP
          -- A digest that is not the event's makes an event that verification names: no need to check it here.
          v_digest := p_events -> (i - 1) ->> 'digest';
          v_previous_hashes[i] := v_previous;
          v_previous := encode(sha256(convert_to(
            coalesce(v_previous, 'genesis') || ':' || (v_first + i - 1) || ':' || v_digest, 'UTF8')), 'hex');
          v_hashes[i] := v_previous;
        END LOOP;

        INSERT INTO events (global_position, stream_name, stream_revision, event_id, type, data, metadata,
          transaction_id, previous_hash, hash)
        OVERRIDING SYSTEM VALUE
        SELECT v_positions[e.ordinality], p_stream_name, v_first - 1 + e.ordinality,
               (e.value ->> 'id')::uuid, e.value ->> 'type', e.value -> 'data', e.value -> 'metadata',
               v_transaction_id, v_previous_hashes[e.ordinality], v_hashes[e.ordinality]
        FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(value, ordinality);

        RETURN QUERY SELECT v_revision, v_positions[v_count], v_revision;
      END;
      $fn$;
    `,
  },
  {
    id: 'event-store-002-append-to-streams',
    sql: `
      -- One stream's part of an append, once its positions and transaction id are taken (under the ordering
      -- lock, by its caller): the expected revision checked against the streams table, each event chained onto
      -- the one before it, the events inserted at p_positions[p_offset + 1 ...]. Returns the stream's new
      -- revision, or NULL when the expected revision does not hold (nothing written).
      CREATE FUNCTION append_stream_part(p_stream_name text, p_expected text, p_events jsonb, p_positions bigint[],
        p_offset int, p_transaction_id xid8)
      RETURNS bigint
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count int := jsonb_array_length(p_events);
        v_revision bigint;
        v_first bigint;
        v_digest text;
        v_previous text;
        v_previous_hashes text[] := '{}';
        v_hashes text[] := '{}';
      BEGIN
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
          RETURN NULL;
        END IF;

        v_first := v_revision - v_count + 1;
        IF v_first > 0 THEN
          SELECT e.hash INTO v_previous FROM events e
          WHERE e.stream_name = p_stream_name AND e.stream_revision = v_first - 1;
          IF v_previous IS NULL THEN
            RAISE EXCEPTION 'cannot chain revision % of %: the event before it is missing or has no hash',
              v_first, p_stream_name
              USING ERRCODE = 'data_corrupted';
          END IF;
        END IF;
        FOR i IN 1 .. v_count LOOP
          -- A digest that is not the event's makes an event that verification names: no need to check it here.
          v_digest := p_events -> (i - 1) ->> 'digest';
          v_previous_hashes[i] := v_previous;
          v_previous := encode(sha256(convert_to(
            coalesce(v_previous, 'genesis') || ':' || (v_first + i - 1) || ':' || v_digest, 'UTF8')), 'hex');
          v_hashes[i] := v_previous;
        END LOOP;

        INSERT INTO events (global_position, stream_name, stream_revision, event_id, type, data, metadata,
          transaction_id, previous_hash, hash)
        OVERRIDING SYSTEM VALUE
        SELECT p_positions[p_offset + e.ordinality], p_stream_name, v_first - 1 + e.ordinality,
               (e.value ->> 'id')::uuid, e.value ->> 'type', e.value -> 'data', e.value -> 'metadata',
               p_transaction_id, v_previous_hashes[e.ordinality], v_hashes[e.ordinality]
        FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(value, ordinality);
        RETURN v_revision;
      END;
      $fn$;

      -- Takes the ordering lock, the transaction id and p_count positions, and lets the lock go at once (see
      -- append_to_stream's comment in event-store-001: positions must grow with transaction ids).
      CREATE FUNCTION take_positions(p_count int, OUT transaction_id xid8, OUT positions bigint[])
      LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM pg_advisory_lock(${POSITION_ORDER_LOCK_KEY});
        transaction_id := pg_current_xact_id();
        positions := ARRAY(SELECT nextval('events_global_position_seq') FROM generate_series(1, p_count));
        PERFORM pg_advisory_unlock(${POSITION_ORDER_LOCK_KEY});
      EXCEPTION
        WHEN query_canceled THEN
          PERFORM pg_advisory_unlock(${POSITION_ORDER_LOCK_KEY});
          RAISE;
        WHEN OTHERS THEN
          PERFORM pg_advisory_unlock(${POSITION_ORDER_LOCK_KEY});
          RAISE;
      END;
      $fn$;

      -- As in event-store-001, the one-stream append, now made of the two parts above.
      CREATE OR REPLACE FUNCTION append_to_stream(p_stream_name text, p_expected text, p_events jsonb)
      RETURNS TABLE (next_revision bigint, last_position bigint, current_revision bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count int := jsonb_array_length(p_events);
        v_taken record;
        v_revision bigint;
      BEGIN
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION 'append_to_stream must be the first write of its transaction'
            USING ERRCODE = 'invalid_transaction_state';
        END IF;
        IF EXISTS (SELECT FROM jsonb_array_elements(p_events) AS e(value) WHERE e.value ->> 'digest' IS NULL) THEN
          RAISE EXCEPTION 'append_to_stream needs the content digest of each event'
            USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM pg_advisory_xact_lock(${STREAM_APPEND_LOCK_CLASS}, hashtext(p_stream_name));
        v_taken := take_positions(v_count);
        v_revision := append_stream_part(p_stream_name, p_expected, p_events, v_taken.positions, 0,
          v_taken.transaction_id);
        IF v_revision IS NULL THEN
          RETURN QUERY SELECT NULL::bigint, NULL::bigint, (SELECT s.revision FROM streams s WHERE s.stream_name =
            p_stream_name);
          RETURN;
        END IF;
        RETURN QUERY SELECT v_revision, v_taken.positions[v_count], v_revision;
      END;
      $fn$;

      -- Appends to several streams in one round trip and one transaction, each stream's part as append_to_stream
      -- appends one; a stream whose expected revision does not hold is left untouched and answered with its
      -- current revision, the others are appended. p_appends: a JSON array of {stream, expected, events}, each
      -- stream once, each with events. One row per element, in order (ordinal from 0), as append_to_stream's row.
      -- Must be the first write of its transaction, as append_to_stream.
      CREATE FUNCTION append_to_streams(p_appends jsonb)
      RETURNS TABLE (ordinal int, next_revision bigint, last_position bigint, current_revision bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_streams int := jsonb_array_length(p_appends);
        v_total int;
        v_hash int;
        v_taken record;
        v_offset int := 0;
        v_stream text;
        v_count int;
        v_revision bigint;
      BEGIN
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION 'append_to_streams must be the first write of its transaction'
            USING ERRCODE = 'invalid_transaction_state';
        END IF;
        IF EXISTS (SELECT FROM jsonb_array_elements(p_appends) AS a(value)
                   WHERE jsonb_array_length(a.value -> 'events') = 0
                      OR EXISTS (SELECT FROM jsonb_array_elements(a.value -> 'events') AS e(value)
                                 WHERE e.value ->> 'digest' IS NULL)) THEN
          RAISE EXCEPTION 'append_to_streams needs events, each with its content digest'
            USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF (SELECT count(DISTINCT a.value ->> 'stream') FROM jsonb_array_elements(p_appends) AS a(value))
           <> v_streams THEN
          RAISE EXCEPTION 'append_to_streams names a stream twice' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        -- Every stream locked as append_to_stream locks one, in one order (two such appends naming the same
        -- streams would otherwise each wait for a lock the other holds).
        FOR v_hash IN SELECT DISTINCT hashtext(a.value ->> 'stream') FROM jsonb_array_elements(p_appends) AS a(value)
                      ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock(${STREAM_APPEND_LOCK_CLASS}, v_hash);
        END LOOP;
        -- Every event's position at once; a refused stream's stay unused (readers never assume positions without
        -- gaps).
        SELECT sum(jsonb_array_length(a.value -> 'events')) INTO v_total
        FROM jsonb_array_elements(p_appends) AS a(value);
        v_taken := take_positions(v_total);
        FOR i IN 0 .. v_streams - 1 LOOP
          v_stream := p_appends -> i ->> 'stream';
          v_count := jsonb_array_length(p_appends -> i -> 'events');
          v_revision := append_stream_part(v_stream, p_appends -> i ->> 'expected', p_appends -> i -> 'events',
            v_taken.positions, v_offset, v_taken.transaction_id);
          ordinal := i;
          next_revision := v_revision;
          last_position := CASE WHEN v_revision IS NULL THEN NULL ELSE v_taken.positions[v_offset + v_count] END;
          current_revision := coalesce(v_revision, (SELECT s.revision FROM streams s WHERE s.stream_name = v_stream));
          RETURN NEXT;
          v_offset := v_offset + v_count;
        END LOOP;
      END;
      $fn$;
    `,
  },
];
