import type { Migration } from '../migrations/migration';

// Advisory lock taken for a few microseconds by every append, see `append_to_stream`. Arbitrary constant.
const POSITION_ORDER_LOCK_KEY = 7_213_650_002;
// First half of the two-key advisory lock an append holds on its stream until it commits (the second half is
// the stream name's hash); two-key locks never collide with one-key ones. Arbitrary constant.
const STREAM_APPEND_LOCK_CLASS = 72_136;
const MAX_DOUBLE = '1.7976931348623157e308';

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
  {
    /*
     * The hash chain of `hash-chain.ts` (in @zhenggai/application): each event stores the hash of its
     * stream's previous event and its own. The adapter sends each event's content digest, computed in Node;
     * `append_to_stream` finds the hash stored at the revision before the first new one and chains the batch
     * in the same statement that assigns the revisions, so an `any` append chains onto whatever event
     * actually precedes it.
     *
     * `event_store_content_digest` rebuilds the digest in SQL (the canonical JSON with numbers as JavaScript
     * writes them and keys in code point order). It chains the events already stored, stream by stream in
     * revision order, and serves callers of `append_to_stream` that send no digest (an older process during
     * a rolling upgrade, a script): slower than Node's, the same result. `hash` stays nullable: a row written
     * around `append_to_stream` (by hand, or by the read-side benchmark's bulk load) has none, and
     * verification names it.
     *
     * The append also takes a lock on its stream, held until it commits, before it takes its positions:
     * without it, two concurrent `any` appends to one stream could take positions in one order and revisions
     * in the other, so that a reader in position order met a stream's revisions out of order.
     */
    id: 'event-store-002-hash-chain',
    sql: `
      ALTER TABLE events ADD COLUMN previous_hash text, ADD COLUMN hash text;

      -- A JSON number as JavaScript writes it: the shortest digits that read back as the same double, with an
      -- exponent only from 1e21 up and below 1e-6.
      CREATE FUNCTION event_store_canonical_number(p_value numeric) RETURNS text
      LANGUAGE plpgsql IMMUTABLE SET extra_float_digits = 1 AS $fn$
      DECLARE
        v_double float8 := abs(p_value::float8);
        v_text text := v_double::text;
        v_mantissa text := split_part(v_text, 'e', 1);
        v_digits text := replace(v_mantissa, '.', '');
        -- The value is 0.<digits> times ten to the power v_point.
        v_point int := length(split_part(v_mantissa, '.', 1)) + coalesce(nullif(split_part(v_text, 'e', 2), '')::int, 0);
        v_shorter numeric;
        v_candidate text;
        v_k int;
        v_result text;
      BEGIN
        IF v_double = 0 THEN RETURN '0'; END IF;
        v_point := v_point - (length(v_digits) - length(ltrim(v_digits, '0')));
        v_digits := rtrim(ltrim(v_digits, '0'), '0');
        -- PostgreSQL's shortest output leaves out the bounds of the interval that reads back as the double;
        -- JavaScript takes a bound when it reads back as the same double, which can save a digit.
        IF length(v_digits) > 1 THEN
          FOREACH v_shorter IN ARRAY ARRAY[left(v_digits, -1)::numeric, left(v_digits, -1)::numeric + 1] LOOP
            v_candidate := v_shorter::text || 'e' || (v_point - length(v_digits) + 1);
            IF v_candidate::numeric <= ${MAX_DOUBLE} AND v_candidate::float8 = v_double THEN
              v_point := v_point + length(v_shorter::text) - length(v_digits) + 1;
              v_digits := rtrim(v_shorter::text, '0');
              EXIT;
            END IF;
          END LOOP;
        END IF;
        v_k := length(v_digits);
        IF v_k <= v_point AND v_point <= 21 THEN
          v_result := v_digits || repeat('0', v_point - v_k);
        ELSIF 0 < v_point AND v_point <= 21 THEN
          v_result := left(v_digits, v_point) || '.' || substr(v_digits, v_point + 1);
        ELSIF -6 < v_point AND v_point <= 0 THEN
          v_result := '0.' || repeat('0', -v_point) || v_digits;
        ELSE
          v_result := left(v_digits, 1) || CASE WHEN v_k > 1 THEN '.' || substr(v_digits, 2) ELSE '' END
                      || 'e' || CASE WHEN v_point - 1 >= 0 THEN '+' ELSE '-' END || abs(v_point - 1)::text;
        END IF;
        RETURN CASE WHEN p_value < 0 THEN '-' || v_result ELSE v_result END;
      END;
      $fn$;

      CREATE FUNCTION event_store_canonical_json(p_value jsonb) RETURNS text
      LANGUAGE plpgsql IMMUTABLE AS $fn$
      BEGIN
        RETURN CASE jsonb_typeof(p_value)
          WHEN 'object' THEN '{' || coalesce((
            SELECT string_agg(to_json(m.key)::text || ':' || event_store_canonical_json(m.value), ',' ORDER BY m.key COLLATE "C")
            FROM jsonb_each(p_value) AS m), '') || '}'
          WHEN 'array' THEN '[' || coalesce((
            SELECT string_agg(event_store_canonical_json(a.value), ',' ORDER BY a.ordinality)
            FROM jsonb_array_elements(p_value) WITH ORDINALITY AS a), '') || ']'
          WHEN 'string' THEN to_json(p_value #>> '{}')::text
          WHEN 'number' THEN event_store_canonical_number((p_value #>> '{}')::numeric)
          WHEN 'boolean' THEN p_value::text
          ELSE 'null'
        END;
      END;
      $fn$;

      CREATE FUNCTION event_store_content_digest(p_stream_name text, p_event_id uuid, p_type text, p_data jsonb, p_metadata jsonb)
      RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
        SELECT encode(sha256(convert_to(
          '{"data":' || event_store_canonical_json(p_data)
          || ',"eventId":' || to_json(p_event_id::text)::text
          || ',"metadata":' || event_store_canonical_json(p_metadata)
          || ',"streamName":' || to_json(p_stream_name)::text
          || ',"type":' || to_json(p_type)::text || '}', 'UTF8')), 'hex')
      $fn$;

      CREATE TEMPORARY TABLE event_digests ON COMMIT DROP AS
      SELECT global_position,
             stream_name,
             row_number() OVER (PARTITION BY stream_name ORDER BY stream_revision) AS seq,
             stream_revision,
             event_store_content_digest(stream_name, event_id, type, data, metadata) AS digest
      FROM events;
      CREATE UNIQUE INDEX ON event_digests (stream_name, seq);
      ANALYZE event_digests;

      WITH RECURSIVE chain AS (
        SELECT d.global_position, d.stream_name, d.seq, NULL::text AS previous_hash,
               encode(sha256(convert_to('genesis:' || d.stream_revision || ':' || d.digest, 'UTF8')), 'hex') AS hash
        FROM event_digests d WHERE d.seq = 1
        UNION ALL
        SELECT d.global_position, d.stream_name, d.seq, c.hash,
               encode(sha256(convert_to(c.hash || ':' || d.stream_revision || ':' || d.digest, 'UTF8')), 'hex')
        FROM chain c JOIN event_digests d ON d.stream_name = c.stream_name AND d.seq = c.seq + 1
      )
      UPDATE events e SET previous_hash = c.previous_hash, hash = c.hash
      FROM chain c WHERE e.global_position = c.global_position;

      -- As in event-store-001, and: each event of p_events may carry its content digest ('digest', 64 hex
      -- digits, computed here when absent, more slowly); the append locks its stream until commit, then chains
      -- the events onto the stream's last one.
      CREATE OR REPLACE FUNCTION append_to_stream(p_stream_name text, p_expected text, p_events jsonb)
      RETURNS TABLE (next_revision bigint, last_position bigint, current_revision bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count int := jsonb_array_length(p_events);
        v_transaction_id xid8;
        v_positions bigint[];
        v_revision bigint;
        v_first bigint;
        v_event jsonb;
        v_digest text;
        v_previous text;
        v_previous_hashes text[] := '{}';
        v_hashes text[] := '{}';
      BEGIN
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION 'append_to_stream must be the first write of its transaction'
            USING ERRCODE = 'invalid_transaction_state';
        END IF;
        -- Appends to one stream take their positions in the order they take their revisions.
        PERFORM pg_advisory_xact_lock(${STREAM_APPEND_LOCK_CLASS}, hashtext(p_stream_name));
        -- See event-store-001: positions must grow with transaction ids.
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

        v_first := v_revision - v_count + 1;
        IF v_first > 0 THEN
          SELECT e.hash INTO v_previous FROM events e
          WHERE e.stream_name = p_stream_name AND e.stream_revision = v_first - 1;
          IF v_previous IS NULL THEN
            RAISE EXCEPTION 'cannot chain revision % of %: the event before it is missing or has no hash', v_first, p_stream_name
              USING ERRCODE = 'data_corrupted';
          END IF;
        END IF;
        FOR i IN 1 .. v_count LOOP
          -- A digest that is not the event's makes an event that verification names: no need to check it here.
          v_digest := p_events -> (i - 1) ->> 'digest';
          IF v_digest IS NULL THEN
            v_event := p_events -> (i - 1);
            v_digest := event_store_content_digest(
              p_stream_name, (v_event ->> 'id')::uuid, v_event ->> 'type', v_event -> 'data', v_event -> 'metadata');
          END IF;
          v_previous_hashes[i] := v_previous;
          v_previous := encode(sha256(convert_to(coalesce(v_previous, 'genesis') || ':' || (v_first + i - 1) || ':' || v_digest, 'UTF8')), 'hex');
          v_hashes[i] := v_previous;
        END LOOP;

        INSERT INTO events (global_position, stream_name, stream_revision, event_id, type, data, metadata, transaction_id, previous_hash, hash)
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
];
