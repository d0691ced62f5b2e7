-- AlterTable
ALTER TABLE "notification" ADD COLUMN     "accepted_at" TIMESTAMPTZ(3);
