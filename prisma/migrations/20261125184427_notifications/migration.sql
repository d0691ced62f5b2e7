-- CreateTable
CREATE TABLE "notification" (
    "id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "sender" TEXT,
    "template" TEXT,
    "body" TEXT,
    "variables" JSONB,
    "event" TEXT,
    "send_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "error_code" TEXT,
    "vendor_message_id" TEXT,
    "appointment_id" TEXT,
    "dossier_id" TEXT,
    "endpoint_id" TEXT,
    "requested_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recipient_consent" (
    "recipient" TEXT NOT NULL,
    "opted_out" BOOLEAN NOT NULL,
    "source" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recipient_consent_pkey" PRIMARY KEY ("recipient")
);

-- CreateTable
CREATE TABLE "sender_rate_bucket" (
    "sender" TEXT NOT NULL,
    "next_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "sender_rate_bucket_pkey" PRIMARY KEY ("sender")
);

-- CreateTable
CREATE TABLE "twilio_callback_receipt" (
    "key" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "twilio_callback_receipt_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "webhook_endpoint" (
    "id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "secret" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "disabled_reason" TEXT,
    "failing_since" TIMESTAMPTZ(3),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dossier" (
    "id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dossier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dossier_subscriber" (
    "id" TEXT NOT NULL,
    "dossier_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "recipient" TEXT,
    "endpoint_id" TEXT,

    CONSTRAINT "dossier_subscriber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dossier_status_change" (
    "id" TEXT NOT NULL,
    "dossier_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "previous_status" TEXT,
    "requested_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dossier_status_change_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_workflow_id_key" ON "notification"("workflow_id");

-- CreateIndex
CREATE UNIQUE INDEX "notification_vendor_message_id_key" ON "notification"("vendor_message_id");

-- CreateIndex
CREATE INDEX "notification_status_channel_idx" ON "notification"("status", "channel");

-- CreateIndex
CREATE INDEX "notification_created_at_idx" ON "notification"("created_at");

-- CreateIndex
CREATE INDEX "notification_appointment_id_idx" ON "notification"("appointment_id");

-- CreateIndex
CREATE INDEX "notification_dossier_id_idx" ON "notification"("dossier_id");

-- CreateIndex
CREATE INDEX "notification_endpoint_id_status_idx" ON "notification"("endpoint_id", "status");

-- CreateIndex
CREATE INDEX "twilio_callback_receipt_received_at_idx" ON "twilio_callback_receipt"("received_at");

-- CreateIndex
CREATE INDEX "dossier_subscriber_dossier_id_idx" ON "dossier_subscriber"("dossier_id");

-- CreateIndex
CREATE INDEX "dossier_status_change_dossier_id_created_at_idx" ON "dossier_status_change"("dossier_id", "created_at");

-- AddForeignKey
ALTER TABLE "dossier_subscriber" ADD CONSTRAINT "dossier_subscriber_dossier_id_fkey" FOREIGN KEY ("dossier_id") REFERENCES "dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dossier_status_change" ADD CONSTRAINT "dossier_status_change_dossier_id_fkey" FOREIGN KEY ("dossier_id") REFERENCES "dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Guard rails the Prisma schema cannot express.
ALTER TABLE "notification" ADD CONSTRAINT "notification_channel_check" CHECK ("channel" IN ('sms', 'whatsapp', 'webhook'));
ALTER TABLE "notification" ADD CONSTRAINT "notification_status_check"
  CHECK ("status" IN ('accepted', 'scheduled', 'sending', 'sent', 'delivered', 'read', 'failed', 'undelivered', 'cancelled'));
ALTER TABLE "notification" ADD CONSTRAINT "notification_attempts_check" CHECK ("attempts" >= 0);
ALTER TABLE "webhook_endpoint" ADD CONSTRAINT "webhook_endpoint_status_check" CHECK ("status" IN ('active', 'disabled'));
ALTER TABLE "dossier_subscriber" ADD CONSTRAINT "dossier_subscriber_target_check"
  CHECK (("channel" = 'webhook' AND "endpoint_id" IS NOT NULL) OR ("channel" IN ('sms', 'whatsapp') AND "recipient" IS NOT NULL));
