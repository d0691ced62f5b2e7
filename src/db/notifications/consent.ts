import { PermissionDeniedError } from '../../errors';
import type { PrismaClient } from '../../generated/prisma/client';

/** Consent is per person, not per channel: a STOP on SMS also stops WhatsApp. */
export const consentKey = (recipient: string) => recipient.replace(/^whatsapp:/, '');

export async function isOptedOut(prisma: PrismaClient, recipient: string): Promise<boolean> {
  const row = await prisma.recipientConsent.findUnique({ where: { recipient: consentKey(recipient) }, select: { optedOut: true } });
  return row?.optedOut ?? false;
}

/**
 * Where a consent change came from (the `source` column and the audit row's why):
 * `inbound-stop` / `inbound-start` (the recipient texted a keyword), `twilio-21610` (Twilio
 * refused a message because the recipient opted out there), `api:<key name>` (`PUT /v1/consents`).
 */
export type ConsentSource = 'inbound-stop' | 'inbound-start' | 'twilio-21610' | `api:${string}`;

/** Opt-outs the recipient made themselves: only an operator or the recipient's own START lifts them. */
const RECIPIENT_OPT_OUTS: ReadonlySet<string> = new Set<ConsentSource>(['inbound-stop', 'twilio-21610']);
const RECIPIENT_OPT_IN: ConsentSource = 'inbound-start';

const SOURCE_WORDS: Record<string, string> = { 'inbound-stop': 'by replying STOP', 'twilio-21610': 'at Twilio (error 21610, e.g. a STOP sent to another of our numbers)' };

/** Who changes consent, for the audit row and the rule above. */
export interface ConsentActor {
  /** An API key name, `twilio-inbound`, `notification:<id>`. Default: the source. */
  actor: string;
  /** Holds the operator role: may lift an opt-out the recipient made. */
  operator?: boolean;
  /** The request or workflow the change belongs to. Default: the actor. */
  correlationId?: string;
  /**
   * The event's own key (an inbound message's SID, a callback's): once its change is in the
   * audit log, the same event again changes nothing, also after a later change.
   */
  idempotencyKey?: string;
}

export interface ConsentOutcome {
  /** False for a repeat, or when the number already stood so (nothing written, nothing audited). */
  changed: boolean;
  optedOut: boolean;
}

/**
 * Records an opt-out or an opt-in, and the change as an `audit_log` row (`consent.opted_out` /
 * `consent.opted_in`, who, and before/after with the source) in the same transaction. A request
 * that changes nothing writes nothing. An opt-in over an opt-out the recipient made (STOP,
 * Twilio 21610) needs the recipient's own START or an operator: anyone else gets a
 * `PermissionDeniedError` naming the reason. Changes of one number are serialised.
 */
export async function recordConsent(
  prisma: PrismaClient,
  recipient: string,
  optedOut: boolean,
  source: ConsentSource,
  by: ConsentActor = { actor: source },
): Promise<ConsentOutcome> {
  const key = consentKey(recipient);
  return prisma.$transaction(async (tx) => {
    // The rule reads the state it changes: one change of a number at a time (a row lock cannot
    // cover a number without a row yet).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`recipient_consent:${key}`}, 0))`;
    if (by.idempotencyKey !== undefined) {
      const seen = await tx.auditLog.findUnique({ where: { idempotencyKey: by.idempotencyKey }, select: { id: true } });
      if (seen) return { changed: false, optedOut: (await tx.recipientConsent.findUnique({ where: { recipient: key } }))?.optedOut ?? false };
    }
    const current = await tx.recipientConsent.findUnique({ where: { recipient: key }, select: { optedOut: true, source: true } });
    const before = { optedOut: current?.optedOut ?? false, source: current?.source ?? null };

    if (optedOut === before.optedOut) {
      // Already so. An opt-out the recipient makes still replaces one recorded on their behalf, so
      // that only they or an operator can lift it from now on.
      const strengthens = optedOut && RECIPIENT_OPT_OUTS.has(source) && !RECIPIENT_OPT_OUTS.has(before.source ?? '');
      if (!strengthens) return { changed: false, optedOut };
    }
    if (!optedOut && RECIPIENT_OPT_OUTS.has(before.source ?? '') && source !== RECIPIENT_OPT_IN && !by.operator) {
      throw new PermissionDeniedError(
        `The number opted out ${SOURCE_WORDS[before.source!] ?? before.source}; only the recipient (START) or the operator role can opt it in again`,
        { reason: 'recipient_opted_out', source: before.source },
      );
    }

    await tx.recipientConsent.upsert({
      where: { recipient: key },
      create: { recipient: key, optedOut, source },
      update: { optedOut, source, changedAt: new Date() },
    });
    await tx.auditLog.create({
      data: {
        actor: by.actor,
        action: optedOut ? 'consent.opted_out' : 'consent.opted_in',
        entity: 'recipient_consent',
        entityId: key,
        before,
        after: { optedOut, source },
        correlationId: by.correlationId ?? by.actor,
        idempotencyKey: by.idempotencyKey ?? null,
      },
    });
    return { changed: true, optedOut };
  });
}
