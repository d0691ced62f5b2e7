-- A PMS call now stays in its vendor's window until its answer returns, not just from when it
-- was let go: the vendor counts a request when it arrives, which on a busy worker can be well
-- after Relay let it go, so a window counted from the take let a late request into the vendor's
-- next window with a full set of newer ones (bench:arrivals at 5 000 properties: 72 over).
--
-- A taken call is stored as a placeholder stamp in the future (now + p_hold_ms), which every
-- take counts as inside the window; relay_release_pms_call replaces it with the moment the
-- answer came back, so the call leaves the window one window after its answer. A worker that
-- dies mid-request leaves its placeholder, which ages out p_hold_ms + the window later.
--
-- Why this is exact: take the last-taken of any limit + 1 calls whose arrivals the vendor sees
-- within one of its windows. Every other one arrived within a window before that call's
-- arrival, so after its take minus a window, and was answered after it arrived; at that take
-- it was therefore still in flight or answered less than a window ago, so the take saw the
-- limit reached and waited.
--
-- A pause (pms_call_pauses) stops every call at a rate scope, or at every scope of a vendor
-- (key `<vendor>:*`), until a time: a vendor whose ban each call extends (Clock's firewall) is
-- waited out by every worker, not only by the activity that met it. A take during a pause
-- answers how long it lasts (paused_ms) and takes nothing.
--
-- The three-argument relay_take_pms_call stays (workers of the previous release, mid-deploy,
-- keep counting against the same rows; their plain stamps mix with these placeholders).

-- CreateTable
CREATE TABLE "pms_call_pauses" (
    "key" TEXT NOT NULL,
    "paused_until" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pms_call_pauses_pkey" PRIMARY KEY ("key")
);

CREATE FUNCTION relay_take_pms_call(p_key TEXT, p_limit INT, p_window_ms FLOAT8, p_hold_ms FLOAT8, p_pause_keys TEXT[], OUT wait_ms FLOAT8, OUT slot TIMESTAMPTZ, OUT paused_ms FLOAT8)
LANGUAGE plpgsql AS $$
DECLARE
    v_now TIMESTAMPTZ := clock_timestamp();
    v_window INTERVAL := make_interval(secs => p_window_ms / 1000);
    v_calls TIMESTAMPTZ[];
    v_blocker TIMESTAMPTZ;
    v_paused_until TIMESTAMPTZ;
BEGIN
    paused_ms := 0;
    SELECT max(p.paused_until) INTO v_paused_until FROM pms_call_pauses p WHERE p.key = ANY (p_pause_keys);
    IF v_paused_until > v_now THEN
        paused_ms := EXTRACT(EPOCH FROM (v_paused_until - v_now)) * 1000;
        wait_ms := paused_ms;
        slot := NULL;
        RETURN;
    END IF;
    INSERT INTO pms_rate_scopes AS s (key, call_limit, window_ms, calls, updated_at)
        VALUES (p_key, p_limit, p_window_ms, '{}', v_now)
        ON CONFLICT (key) DO NOTHING;
    SELECT s.calls INTO v_calls FROM pms_rate_scopes s WHERE s.key = p_key FOR UPDATE;
    v_now := clock_timestamp();
    v_calls := ARRAY(SELECT c FROM unnest(COALESCE(v_calls, '{}')) AS c WHERE c > v_now - v_window ORDER BY c);
    IF cardinality(v_calls) < p_limit THEN
        slot := v_now + make_interval(secs => p_hold_ms / 1000);
        -- Placeholders name their call at release: keep them distinct.
        WHILE slot = ANY (v_calls) LOOP
            slot := slot + interval '1 microsecond';
        END LOOP;
        v_calls := v_calls || slot;
        wait_ms := 0;
    ELSE
        -- The call that must leave before one more fits. One still in flight leaves no sooner
        -- than a window after now (its answer comes back now at the earliest).
        v_blocker := LEAST(v_calls[cardinality(v_calls) - p_limit + 1], v_now);
        wait_ms := GREATEST(1, EXTRACT(EPOCH FROM (v_blocker + v_window - v_now)) * 1000);
        slot := NULL;
    END IF;
    UPDATE pms_rate_scopes s SET calls = v_calls, call_limit = p_limit, window_ms = p_window_ms, updated_at = v_now WHERE s.key = p_key;
END;
$$;

-- The call's answer came back (or it failed): from now on it counts from this moment.
CREATE FUNCTION relay_release_pms_call(p_key TEXT, p_slot TIMESTAMPTZ)
RETURNS VOID
LANGUAGE sql AS $$
    UPDATE pms_rate_scopes s SET calls = array_replace(s.calls, p_slot, clock_timestamp()) WHERE s.key = p_key AND p_slot = ANY (s.calls);
$$;

-- Stops every call at p_key (a rate scope, or `<vendor>:*`) for p_ms; a longer pause in place stays.
CREATE FUNCTION relay_pause_pms_calls(p_key TEXT, p_ms FLOAT8, p_reason TEXT)
RETURNS TIMESTAMPTZ
LANGUAGE sql AS $$
    INSERT INTO pms_call_pauses AS p (key, paused_until, reason, updated_at)
        VALUES (p_key, clock_timestamp() + make_interval(secs => p_ms / 1000), p_reason, clock_timestamp())
        ON CONFLICT (key) DO UPDATE
            SET paused_until = GREATEST(p.paused_until, EXCLUDED.paused_until), reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at
        RETURNING paused_until;
$$;
