import type { PrismaClient } from '../../generated/prisma/client';

/** Consent is per person, not per channel: a STOP on SMS also stops WhatsApp. */
export const consentKey = (recipient: string) => recipient.replace(/^whatsapp:/, '');

export async function isOptedOut(prisma: PrismaClient, recipient: string): Promise<boolean> {
  const row = await prisma.recipientConsent.findUnique({ where: { recipient: consentKey(recipient) }, select: { optedOut: true } });
  return row?.optedOut ?? false;
}

export async function recordConsent(prisma: PrismaClient, recipient: string, optedOut: boolean, source: string): Promise<void> {
  const key = consentKey(recipient);
  await prisma.recipientConsent.upsert({
    where: { recipient: key },
    create: { recipient: key, optedOut, source },
    update: { optedOut, source, changedAt: new Date() },
  });
}
