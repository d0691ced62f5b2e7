-- CreateTable
CREATE TABLE "sender_send" (
    "id" BIGSERIAL NOT NULL,
    "sender" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(6) NOT NULL,
    "ends_by" TIMESTAMPTZ(6) NOT NULL,
    "done" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "sender_send_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sender_send_sender_ends_by_idx" ON "sender_send"("sender", "ends_by");

-- Takes a send slot for a sender, in one round trip, under the lock of the sender's bucket row
-- (which orders every worker process's sends of that sender):
--  1. with p_reserve, reserves the next slot of the even spacing (generic cell rate algorithm:
--     next_at moves on by p_interval_ms); a slot still ahead is returned to wait for, no send taken;
--  2. admits the send when fewer than p_limit of the sender's sends are in flight or finished
--     within the last p_window_ms, recording it as in flight until p_bound_ms from now; otherwise
--     returns when to ask again (when a place frees, or shortly if that depends on a send in flight).
-- A PL/pgSQL function rather than one statement: each statement after the lock sees the rows that
-- the lock's previous holder committed, which a single statement's snapshot would not.
CREATE FUNCTION relay_take_send_slot(
    p_sender TEXT, p_interval_ms FLOAT8, p_limit INT, p_window_ms FLOAT8, p_bound_ms FLOAT8, p_reserve BOOLEAN, p_poll_ms FLOAT8
) RETURNS TABLE (send_id BIGINT, slot_at FLOAT8, retry_at FLOAT8, now_at FLOAT8)
LANGUAGE plpgsql AS $$
DECLARE
    v_now TIMESTAMPTZ;
    v_slot TIMESTAMPTZ;
    v_open INT;
    v_end TIMESTAMPTZ;
    v_done BOOLEAN;
BEGIN
    INSERT INTO sender_rate_bucket AS b (sender, next_at) VALUES (p_sender, clock_timestamp())
        ON CONFLICT (sender) DO NOTHING;
    SELECT b.next_at INTO v_slot FROM sender_rate_bucket b WHERE b.sender = p_sender FOR UPDATE;
    v_now := clock_timestamp();
    now_at := EXTRACT(EPOCH FROM v_now) * 1000;
    IF p_reserve THEN
        v_slot := GREATEST(v_slot, v_now);
        UPDATE sender_rate_bucket b SET next_at = v_slot + make_interval(secs => p_interval_ms / 1000) WHERE b.sender = p_sender;
    ELSE
        v_slot := v_now;
    END IF;
    slot_at := EXTRACT(EPOCH FROM v_slot) * 1000;
    IF v_slot > v_now THEN
        retry_at := slot_at;
        RETURN NEXT;
        RETURN;
    END IF;

    DELETE FROM sender_send s WHERE s.sender = p_sender AND s.ends_by <= v_now - make_interval(secs => p_window_ms / 1000);
    SELECT count(*) INTO v_open FROM sender_send s WHERE s.sender = p_sender;
    IF v_open < p_limit THEN
        INSERT INTO sender_send (sender, started_at, ends_by)
            VALUES (p_sender, v_now, v_now + make_interval(secs => p_bound_ms / 1000))
            RETURNING id INTO send_id;
        retry_at := now_at;
    ELSE
        -- The send whose end frees a place: the (open - limit + 1)th to end.
        SELECT s.ends_by, s.done INTO v_end, v_done FROM sender_send s
            WHERE s.sender = p_sender ORDER BY s.ends_by OFFSET v_open - p_limit LIMIT 1;
        retry_at := EXTRACT(EPOCH FROM v_end) * 1000 + p_window_ms;
        IF NOT v_done THEN
            retry_at := LEAST(retry_at, now_at + p_poll_ms);
        END IF;
    END IF;
    RETURN NEXT;
END
$$;
