-- CreateTable
CREATE TABLE "pms_properties" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "vendor" TEXT NOT NULL,
    "vendor_property_id" TEXT NOT NULL,
    "credentials" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "poll_interval_seconds" INTEGER NOT NULL DEFAULT 300,
    "poll_enabled" BOOLEAN NOT NULL DEFAULT true,
    "welcome_template" TEXT,
    "welcome_channel" TEXT NOT NULL DEFAULT 'sms',
    "rooms_synced_at" TIMESTAMPTZ(3),
    "last_poll_at" TIMESTAMPTZ(3),
    "last_poll_ok_at" TIMESTAMPTZ(3),
    "last_push_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "pms_properties_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pms_guests" (
    "id" UUID NOT NULL,
    "property_id" UUID NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "first_name" TEXT,
    "last_name" TEXT NOT NULL,
    "email" TEXT,
    "phone_raw" TEXT,
    "phone_e164" TEXT,
    "phone_invalid" BOOLEAN NOT NULL DEFAULT false,
    "phone_problem" TEXT,
    "language" TEXT,
    "nationality" TEXT,
    "preferences" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "messaging_consent" BOOLEAN,
    "vendor_version" TEXT NOT NULL,
    "synced_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pms_guests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pms_reservations" (
    "id" UUID NOT NULL,
    "property_id" UUID NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "confirmation_number" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "arrival_date" DATE NOT NULL,
    "departure_date" DATE NOT NULL,
    "guest_vendor_id" TEXT,
    "room_vendor_id" TEXT,
    "room_number" TEXT,
    "adults" INTEGER NOT NULL DEFAULT 1,
    "children" INTEGER NOT NULL DEFAULT 0,
    "vendor_updated_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL,
    "announced_hash" TEXT,
    "announced_status" TEXT,
    "announced_version" INTEGER NOT NULL DEFAULT 0,
    "announced_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pms_reservations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pms_rooms" (
    "id" UUID NOT NULL,
    "property_id" UUID NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "occupied" BOOLEAN,
    "room_type" TEXT,
    "floor" TEXT,
    "synced_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pms_rooms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pms_events" (
    "id" BIGSERIAL NOT NULL,
    "event_key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "property_id" UUID NOT NULL,
    "vendor" TEXT NOT NULL,
    "reservation_vendor_id" TEXT NOT NULL,
    "arrival_date" DATE NOT NULL,
    "state_version" INTEGER NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMPTZ(3),

    CONSTRAINT "pms_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pms_writes" (
    "id" UUID NOT NULL,
    "property_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "reference" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,
    "error" JSONB,
    "workflow_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "pms_writes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pms_rate_scopes" (
    "key" TEXT NOT NULL,
    "call_limit" INTEGER NOT NULL,
    "window_ms" DOUBLE PRECISION NOT NULL,
    "calls" TIMESTAMPTZ(6)[] DEFAULT ARRAY[]::TIMESTAMPTZ(6)[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pms_rate_scopes_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "pms_properties_vendor_vendor_property_id_key" ON "pms_properties"("vendor", "vendor_property_id");

-- CreateIndex
CREATE UNIQUE INDEX "pms_guests_property_id_vendor_id_key" ON "pms_guests"("property_id", "vendor_id");

-- CreateIndex
CREATE INDEX "pms_reservations_property_id_arrival_date_idx" ON "pms_reservations"("property_id", "arrival_date");

-- CreateIndex
CREATE INDEX "pms_reservations_property_id_confirmation_number_idx" ON "pms_reservations"("property_id", "confirmation_number");

-- CreateIndex
CREATE UNIQUE INDEX "pms_reservations_property_id_vendor_id_key" ON "pms_reservations"("property_id", "vendor_id");

-- CreateIndex
CREATE UNIQUE INDEX "pms_rooms_property_id_vendor_id_key" ON "pms_rooms"("property_id", "vendor_id");

-- CreateIndex
CREATE UNIQUE INDEX "pms_events_event_key_key" ON "pms_events"("event_key");

-- CreateIndex
CREATE INDEX "pms_events_property_id_created_at_idx" ON "pms_events"("property_id", "created_at");

-- CreateIndex
CREATE INDEX "pms_events_property_id_dispatched_at_idx" ON "pms_events"("property_id", "dispatched_at");

-- CreateIndex
CREATE UNIQUE INDEX "pms_writes_property_id_idempotency_key_key" ON "pms_writes"("property_id", "idempotency_key");

-- AddForeignKey
ALTER TABLE "pms_guests" ADD CONSTRAINT "pms_guests_property_id_fkey" FOREIGN KEY ("property_id") REFERENCES "pms_properties"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pms_reservations" ADD CONSTRAINT "pms_reservations_property_id_fkey" FOREIGN KEY ("property_id") REFERENCES "pms_properties"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pms_rooms" ADD CONSTRAINT "pms_rooms_property_id_fkey" FOREIGN KEY ("property_id") REFERENCES "pms_properties"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pms_writes" ADD CONSTRAINT "pms_writes_property_id_fkey" FOREIGN KEY ("property_id") REFERENCES "pms_properties"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Values the code relies on.
ALTER TABLE "pms_properties" ADD CONSTRAINT "pms_properties_welcome_channel_check" CHECK ("welcome_channel" IN ('sms', 'whatsapp'));
ALTER TABLE "pms_properties" ADD CONSTRAINT "pms_properties_poll_interval_check" CHECK ("poll_interval_seconds" >= 30);
ALTER TABLE "pms_events" ADD CONSTRAINT "pms_events_type_check" CHECK ("type" IN ('arrival.new', 'arrival.changed', 'arrival.cancelled'));
ALTER TABLE "pms_writes" ADD CONSTRAINT "pms_writes_operation_check" CHECK ("operation" IN ('charge', 'note', 'guest_update'));
ALTER TABLE "pms_writes" ADD CONSTRAINT "pms_writes_status_check" CHECK ("status" IN ('pending', 'succeeded', 'failed', 'unresolved'));
ALTER TABLE "pms_rate_scopes" ADD CONSTRAINT "pms_rate_scopes_limit_check" CHECK ("call_limit" >= 1 AND "window_ms" > 0);

-- One call from a vendor's limit at its scope (p_key: an access token, an environment, a hotel;
-- p_limit calls per p_window_ms, a sliding window by the database's clock, so every worker
-- process counts against the same calls). Returns 0 when the call is taken, otherwise how many
-- milliseconds until the oldest call in the window leaves it (ask again then). One statement
-- under the scope row's lock; the stored calls are only those still inside the window.
CREATE FUNCTION relay_take_pms_call(p_key TEXT, p_limit INT, p_window_ms FLOAT8)
RETURNS FLOAT8
LANGUAGE plpgsql AS $$
DECLARE
    v_now TIMESTAMPTZ := clock_timestamp();
    v_window INTERVAL := make_interval(secs => p_window_ms / 1000);
    v_calls TIMESTAMPTZ[];
    v_wait FLOAT8;
BEGIN
    INSERT INTO pms_rate_scopes AS s (key, call_limit, window_ms, calls, updated_at)
        VALUES (p_key, p_limit, p_window_ms, '{}', v_now)
        ON CONFLICT (key) DO NOTHING;
    SELECT s.calls INTO v_calls FROM pms_rate_scopes s WHERE s.key = p_key FOR UPDATE;
    v_now := clock_timestamp();
    v_calls := ARRAY(SELECT c FROM unnest(COALESCE(v_calls, '{}')) AS c WHERE c > v_now - v_window ORDER BY c);
    IF cardinality(v_calls) < p_limit THEN
        v_calls := v_calls || v_now;
        v_wait := 0;
    ELSE
        -- The call that must leave the window before one more fits in it.
        v_wait := GREATEST(1, EXTRACT(EPOCH FROM (v_calls[cardinality(v_calls) - p_limit + 1] + v_window - v_now)) * 1000);
    END IF;
    UPDATE pms_rate_scopes s SET calls = v_calls, call_limit = p_limit, window_ms = p_window_ms, updated_at = v_now WHERE s.key = p_key;
    RETURN v_wait;
END;
$$;
