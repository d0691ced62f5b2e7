-- CreateTable
CREATE TABLE "send_lane_attempt" (
    "id" BIGSERIAL NOT NULL,
    "sender" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "notification_id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(6) NOT NULL,
    "bound_at" TIMESTAMPTZ(6) NOT NULL,
    "ended_at" TIMESTAMPTZ(6),
    "outcome" TEXT,
    "vendor_message_id" TEXT,
    "resolving_until" TIMESTAMPTZ(6),

    CONSTRAINT "send_lane_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "send_lane_attempt_sender_recipient_id_idx" ON "send_lane_attempt"("sender", "recipient", "id");

-- CreateIndex
CREATE INDEX "send_lane_attempt_notification_id_idx" ON "send_lane_attempt"("notification_id");

-- AddForeignKey
ALTER TABLE "send_lane_attempt" ADD CONSTRAINT "send_lane_attempt_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notification"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Takes the send lane of a sender and recipient for one message create, with the sender's send
-- slot, in one round trip, under a transaction-scoped advisory lock of the lane (which orders
-- every worker process's creates on it; it is always taken before the sender's bucket row, never
-- after, so the two cannot deadlock). The lane admits one create at a time, and after one whose
-- answer was lost (outcome 'ambiguous', or still NULL past its bound: its worker died) nothing
-- until that attempt is resolved by a look-up at the vendor. lane_state:
--  'sent'            this notification's message is on record (sent_sid): send nothing;
--  'unattributable'  a look-up found more than one message it could be: send nothing;
--  'busy'            another create is in flight: ask again at retry_at;
--  'unsettled'       the last create's answer was lost: it can be looked up from retry_at on
--                    (its bound, then the time the vendor's list may take to show a message);
--  'resolving'       someone is looking it up: ask again at retry_at;
--  'resolve'         look up attempt other_id (claimed for p_resolve_ms), record what was found;
--  'free'            (p_create false) nothing of this notification is left to look up;
--  'wait'            the lane is free, the sender's slot is not (see relay_take_send_slot);
--  'go'              create now: attempt attempt_id on the lane, send send_id in the window.
-- With p_create false only this notification's own pending attempt is looked at (before a give-up).
CREATE FUNCTION relay_take_send_lane(
    p_sender TEXT, p_recipient TEXT, p_notification TEXT, p_create BOOLEAN,
    p_bound_ms FLOAT8, p_settle_ms FLOAT8, p_resolve_ms FLOAT8, p_lane_poll_ms FLOAT8,
    p_interval_ms FLOAT8, p_limit INT, p_window_ms FLOAT8, p_reserve BOOLEAN, p_slot_poll_ms FLOAT8
) RETURNS TABLE (
    lane_state TEXT, attempt_id BIGINT, send_id BIGINT, slot_at FLOAT8, retry_at FLOAT8, now_at FLOAT8, sent_sid TEXT,
    other_id BIGINT, other_notification TEXT, other_started_at FLOAT8, other_bound_at FLOAT8
)
LANGUAGE plpgsql AS $$
DECLARE
    v_now TIMESTAMPTZ;
    v_last RECORD;
    v_slot RECORD;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('send_lane:' || p_sender || ':' || p_recipient, 0));
    v_now := clock_timestamp();
    now_at := EXTRACT(EPOCH FROM v_now) * 1000;

    SELECT a.vendor_message_id INTO sent_sid FROM send_lane_attempt a
        WHERE a.notification_id = p_notification AND a.vendor_message_id IS NOT NULL LIMIT 1;
    IF sent_sid IS NULL THEN
        SELECT n.vendor_message_id INTO sent_sid FROM notification n WHERE n.id = p_notification;
    END IF;
    IF sent_sid IS NOT NULL THEN
        lane_state := 'sent';
        RETURN NEXT;
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM send_lane_attempt a WHERE a.notification_id = p_notification AND a.outcome = 'unattributable') THEN
        lane_state := 'unattributable';
        RETURN NEXT;
        RETURN;
    END IF;

    SELECT a.id, a.notification_id, a.started_at, a.bound_at, a.outcome, a.resolving_until INTO v_last
        FROM send_lane_attempt a WHERE a.sender = p_sender AND a.recipient = p_recipient ORDER BY a.id DESC LIMIT 1;
    IF FOUND AND (v_last.outcome IS NULL OR v_last.outcome = 'ambiguous') AND (p_create OR v_last.notification_id = p_notification) THEN
        other_id := v_last.id;
        other_notification := v_last.notification_id;
        other_started_at := EXTRACT(EPOCH FROM v_last.started_at) * 1000;
        other_bound_at := EXTRACT(EPOCH FROM v_last.bound_at) * 1000;
        IF v_last.outcome IS NULL AND v_last.bound_at > v_now THEN
            lane_state := 'busy';
            retry_at := LEAST(other_bound_at, now_at + p_lane_poll_ms);
        ELSIF v_now < v_last.bound_at + make_interval(secs => p_settle_ms / 1000) THEN
            lane_state := 'unsettled';
            retry_at := other_bound_at + p_settle_ms;
        ELSIF v_last.resolving_until > v_now THEN
            lane_state := 'resolving';
            retry_at := LEAST(EXTRACT(EPOCH FROM v_last.resolving_until) * 1000, now_at + p_lane_poll_ms);
        ELSE
            BEGIN
                -- Never wait for the attempt's row here: a statement recording its outcome holds it.
                PERFORM 1 FROM send_lane_attempt a WHERE a.id = v_last.id FOR UPDATE NOWAIT;
                UPDATE send_lane_attempt a SET resolving_until = v_now + make_interval(secs => p_resolve_ms / 1000) WHERE a.id = v_last.id;
                lane_state := 'resolve';
                retry_at := now_at;
            EXCEPTION WHEN lock_not_available THEN
                lane_state := 'resolving';
                retry_at := now_at + p_lane_poll_ms;
            END;
        END IF;
        RETURN NEXT;
        RETURN;
    END IF;
    IF NOT p_create THEN
        lane_state := 'free';
        RETURN NEXT;
        RETURN;
    END IF;

    SELECT * INTO v_slot FROM relay_take_send_slot(p_sender, p_interval_ms, p_limit, p_window_ms, p_bound_ms, p_reserve, p_slot_poll_ms);
    send_id := v_slot.send_id;
    slot_at := v_slot.slot_at;
    retry_at := v_slot.retry_at;
    now_at := v_slot.now_at;
    IF send_id IS NULL THEN
        lane_state := 'wait';
        RETURN NEXT;
        RETURN;
    END IF;
    v_now := clock_timestamp();
    INSERT INTO send_lane_attempt (sender, recipient, notification_id, started_at, bound_at)
        VALUES (p_sender, p_recipient, p_notification, v_now, v_now + make_interval(secs => p_bound_ms / 1000))
        RETURNING id INTO attempt_id;
    lane_state := 'go';
    RETURN NEXT;
END
$$;
