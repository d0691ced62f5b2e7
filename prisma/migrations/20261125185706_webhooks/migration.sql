-- AlterTable
ALTER TABLE "notification" ADD COLUMN     "payload" JSONB;
