-- CreateTable
CREATE TABLE "companies" (
    "id" UUID NOT NULL,
    "chamber_of_commerce_id" TEXT,
    "vihb_id" TEXT,
    "processor_id" TEXT,
    "name" TEXT NOT NULL,
    "street_name" TEXT,
    "building_number" TEXT,
    "building_number_addition" TEXT,
    "postal_code" TEXT,
    "city" TEXT,
    "country" TEXT,
    "address_unparsed" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "companies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "companies_sync" (
    "id" UUID NOT NULL,
    "company_id" UUID,
    "division" INTEGER NOT NULL,
    "exact_guid" UUID,
    "external_id" TEXT,
    "sync_status" TEXT NOT NULL DEFAULT 'OK',
    "conflict_details" JSONB,
    "requires_manual_review" BOOLEAN NOT NULL DEFAULT false,
    "deleted_in_source" BOOLEAN NOT NULL DEFAULT false,
    "match_rule" TEXT,
    "match_values" JSONB,
    "base_snapshot" JSONB,
    "synced_from_source_at" TIMESTAMPTZ(3),
    "last_timestamp" BIGINT,
    "exact_updated_at" TIMESTAMPTZ(3),
    "local_updated_at" TIMESTAMPTZ(3),
    "create_ref" TEXT,
    "reconciled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "companies_sync_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "exact_connections" (
    "id" UUID NOT NULL,
    "base_url" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "status_reason" TEXT,
    "exact_user_id" TEXT,
    "access_token_sealed" TEXT,
    "refresh_token_sealed" TEXT,
    "access_expires_at" TIMESTAMPTZ(3),
    "token_issued_at" TIMESTAMPTZ(3),
    "refresh_lease_holder" TEXT,
    "refresh_lease_until" TIMESTAMPTZ(3),
    "token_generation" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exact_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "exact_auth_requests" (
    "state" TEXT NOT NULL,
    "connection_id" UUID,
    "requested_by" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "exact_auth_requests_pkey" PRIMARY KEY ("state")
);

-- CreateTable
CREATE TABLE "exact_divisions" (
    "division" INTEGER NOT NULL,
    "connection_id" UUID NOT NULL,
    "name" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "accounts_cursor" BIGINT NOT NULL DEFAULT 1,
    "deleted_cursor" BIGINT NOT NULL DEFAULT 1,
    "import_completed_at" TIMESTAMPTZ(3),
    "division_move_date" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exact_divisions_pkey" PRIMARY KEY ("division")
);

-- CreateTable
CREATE TABLE "exact_rate_budgets" (
    "division" INTEGER NOT NULL,
    "minute_start" TIMESTAMPTZ(3) NOT NULL,
    "minute_used" INTEGER NOT NULL DEFAULT 0,
    "minute_limit" INTEGER NOT NULL,
    "day_start" TIMESTAMPTZ(3) NOT NULL,
    "day_used" INTEGER NOT NULL DEFAULT 0,
    "day_limit" INTEGER NOT NULL,
    "blocked_until" TIMESTAMPTZ(3),
    "reported_daily_remaining" INTEGER,
    "reported_daily_reset" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exact_rate_budgets_pkey" PRIMARY KEY ("division")
);

-- CreateTable
CREATE TABLE "exact_quarantine" (
    "id" BIGSERIAL NOT NULL,
    "division" INTEGER NOT NULL,
    "exact_guid" UUID NOT NULL,
    "payload" JSONB NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "error" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exact_quarantine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_conflicts" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "division" INTEGER NOT NULL,
    "exact_guid" UUID,
    "company_id" UUID,
    "sync_id" UUID,
    "workflow_id" TEXT NOT NULL,
    "workflow_started_at" TIMESTAMPTZ(3),
    "details" JSONB NOT NULL,
    "escalated_at" TIMESTAMPTZ(3),
    "resolution" JSONB,
    "resolved_by" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_conflicts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "exact_outbound_writes" (
    "id" BIGSERIAL NOT NULL,
    "exact_guid" UUID NOT NULL,
    "fields_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exact_outbound_writes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "companies_chamber_of_commerce_id_key" ON "companies"("chamber_of_commerce_id");

-- CreateIndex
CREATE UNIQUE INDEX "companies_vihb_id_key" ON "companies"("vihb_id");

-- CreateIndex
CREATE UNIQUE INDEX "companies_processor_id_key" ON "companies"("processor_id");

-- CreateIndex
CREATE INDEX "companies_postal_code_building_number_idx" ON "companies"("postal_code", "building_number");

-- CreateIndex
CREATE UNIQUE INDEX "companies_sync_create_ref_key" ON "companies_sync"("create_ref");

-- CreateIndex
CREATE INDEX "companies_sync_company_id_idx" ON "companies_sync"("company_id");

-- CreateIndex
CREATE INDEX "companies_sync_sync_status_idx" ON "companies_sync"("sync_status");

-- CreateIndex
CREATE UNIQUE INDEX "companies_sync_exact_guid_key" ON "companies_sync"("exact_guid");

-- CreateIndex
CREATE UNIQUE INDEX "companies_sync_division_external_id_key" ON "companies_sync"("division", "external_id");

-- CreateIndex
CREATE INDEX "exact_quarantine_resolved_at_next_attempt_at_idx" ON "exact_quarantine"("resolved_at", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "exact_quarantine_division_exact_guid_key" ON "exact_quarantine"("division", "exact_guid");

-- CreateIndex
CREATE INDEX "sync_conflicts_status_kind_idx" ON "sync_conflicts"("status", "kind");

-- CreateIndex
CREATE INDEX "sync_conflicts_exact_guid_idx" ON "sync_conflicts"("exact_guid");

-- CreateIndex
CREATE INDEX "sync_conflicts_workflow_id_status_idx" ON "sync_conflicts"("workflow_id", "status");

-- CreateIndex
CREATE INDEX "sync_conflicts_division_status_workflow_started_at_idx" ON "sync_conflicts"("division", "status", "workflow_started_at");

-- CreateIndex
CREATE INDEX "exact_outbound_writes_exact_guid_fields_hash_idx" ON "exact_outbound_writes"("exact_guid", "fields_hash");

-- AddForeignKey
ALTER TABLE "companies_sync" ADD CONSTRAINT "companies_sync_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exact_divisions" ADD CONSTRAINT "exact_divisions_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "exact_connections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Exact's per-division call budget, taken by every worker before every call to a division's
-- endpoints (one statement under the division's row lock). The minute window keeps Exact's phase
-- once its headers told us where its minute ends; the day resets when Exact says it does.
-- Returns granted, or when to ask again (epoch ms by the database's clock).
CREATE FUNCTION relay_take_exact_call(p_division INT, p_minute_limit INT, p_day_limit INT)
RETURNS TABLE (granted BOOLEAN, retry_at FLOAT8, now_at FLOAT8, minute_remaining INT, day_remaining INT)
LANGUAGE plpgsql AS $$
DECLARE
    b exact_rate_budgets%ROWTYPE;
    v_now TIMESTAMPTZ := clock_timestamp();
BEGIN
    INSERT INTO exact_rate_budgets AS r (division, minute_start, minute_limit, day_start, day_limit, updated_at)
        VALUES (p_division, date_trunc('minute', v_now), p_minute_limit, date_trunc('day', v_now), p_day_limit, v_now)
        ON CONFLICT (division) DO NOTHING;
    SELECT * INTO b FROM exact_rate_budgets r WHERE r.division = p_division FOR UPDATE;
    v_now := clock_timestamp();
    now_at := EXTRACT(EPOCH FROM v_now) * 1000;
    b.minute_limit := p_minute_limit;
    b.day_limit := p_day_limit;
    IF v_now >= b.minute_start + interval '1 minute' THEN
        b.minute_start := b.minute_start
            + floor(EXTRACT(EPOCH FROM (v_now - b.minute_start)) / 60) * interval '1 minute';
        b.minute_used := 0;
    END IF;
    IF (b.reported_daily_reset IS NOT NULL AND v_now >= b.reported_daily_reset)
        OR (b.reported_daily_reset IS NULL AND v_now >= b.day_start + interval '1 day') THEN
        b.day_start := COALESCE(b.reported_daily_reset, date_trunc('day', v_now));
        b.day_used := 0;
        b.reported_daily_reset := NULL;
        b.reported_daily_remaining := NULL;
    END IF;
    granted := false;
    IF b.blocked_until IS NOT NULL AND b.blocked_until > v_now THEN
        retry_at := EXTRACT(EPOCH FROM b.blocked_until) * 1000;
    ELSIF b.day_used >= b.day_limit THEN
        retry_at := EXTRACT(EPOCH FROM COALESCE(b.reported_daily_reset, b.day_start + interval '1 day')) * 1000;
    ELSIF b.minute_used >= b.minute_limit THEN
        retry_at := EXTRACT(EPOCH FROM b.minute_start + interval '1 minute') * 1000;
    ELSE
        granted := true;
        retry_at := now_at;
        b.minute_used := b.minute_used + 1;
        b.day_used := b.day_used + 1;
    END IF;
    UPDATE exact_rate_budgets r SET minute_start = b.minute_start, minute_used = b.minute_used, minute_limit = b.minute_limit,
        day_start = b.day_start, day_used = b.day_used, day_limit = b.day_limit,
        reported_daily_reset = b.reported_daily_reset, reported_daily_remaining = b.reported_daily_remaining, updated_at = v_now
        WHERE r.division = p_division;
    minute_remaining := b.minute_limit - b.minute_used;
    day_remaining := b.day_limit - b.day_used;
    RETURN NEXT;
END;
$$;

-- What Exact's headers said after a call: its count wins where it is higher than ours (calls
-- made outside this deployment count too), its reset times set our windows' phase, and none
-- remaining (or a 429) blocks the division until Exact's reset.
CREATE FUNCTION relay_note_exact_limits(
    p_division INT, p_minute_remaining INT, p_minute_reset_ms FLOAT8, p_day_remaining INT, p_day_reset_ms FLOAT8, p_refused BOOLEAN
) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    v_now TIMESTAMPTZ := clock_timestamp();
    v_minute_reset TIMESTAMPTZ := CASE WHEN p_minute_reset_ms IS NULL THEN NULL ELSE to_timestamp(p_minute_reset_ms / 1000) END;
    v_day_reset TIMESTAMPTZ := CASE WHEN p_day_reset_ms IS NULL THEN NULL ELSE to_timestamp(p_day_reset_ms / 1000) END;
BEGIN
    UPDATE exact_rate_budgets r SET
        minute_start = CASE WHEN v_minute_reset > v_now AND v_minute_reset <= v_now + interval '61 seconds'
            THEN v_minute_reset - interval '1 minute' ELSE r.minute_start END,
        minute_used = CASE WHEN p_minute_remaining IS NOT NULL AND v_minute_reset > v_now
            THEN GREATEST(r.minute_used, r.minute_limit - p_minute_remaining) ELSE r.minute_used END,
        day_used = CASE WHEN p_day_remaining IS NOT NULL THEN GREATEST(r.day_used, r.day_limit - p_day_remaining) ELSE r.day_used END,
        reported_daily_remaining = COALESCE(p_day_remaining, r.reported_daily_remaining),
        reported_daily_reset = COALESCE(v_day_reset, r.reported_daily_reset),
        blocked_until = CASE
            WHEN (p_refused OR p_minute_remaining = 0) AND v_minute_reset > v_now AND p_day_remaining IS DISTINCT FROM 0
                THEN GREATEST(COALESCE(r.blocked_until, v_minute_reset), v_minute_reset)
            WHEN p_day_remaining = 0 AND v_day_reset > v_now THEN GREATEST(COALESCE(r.blocked_until, v_day_reset), v_day_reset)
            ELSE r.blocked_until END,
        updated_at = v_now
        WHERE r.division = p_division;
END;
$$;
