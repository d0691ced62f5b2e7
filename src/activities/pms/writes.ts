import { performance } from 'node:perf_hooks';
import { ApplicationFailure } from '@temporalio/common';
import { writeAudit } from '../../db/audit';
import { countAttempt, finishWrite, findWrite, storedResult } from '../../db/pms/writes';
import { pmsProblemOf } from '../../domain/pms/failures';
import { normaliseGuestPhone } from '../../domain/pms/guest-phone';
import type { WriteRequest, WriteResult } from '../../domain/pms/writes';
import type { PmsProperty, PmsWrite, Prisma } from '../../generated/prisma/client';
import type { PmsAdapter } from '../../integrations/pms/adapter';
import type { GuestPatch, PmsGuest } from '../../integrations/pms/model';
import type { PmsActivityDeps } from './deps';
import { cacheGuests, regionOf } from './guests';

/**
 * Write-through: the PMS first; on success the cache, the write's outcome and its audit row;
 * on a refusal the outcome and the audit row, nothing else. Every vendor attempt is audited
 * (who, property, operation, request, the vendor's answer, duration). A write whose answer may
 * have been lost is looked up by its reference before it is made again: the reference is this
 * request's alone, so what is found is this request's write, never another's.
 */

interface Performed {
  result: WriteResult;
  /** What the vendor answered (for the audit row). */
  vendorResponse: Prisma.InputJsonValue;
  /** The record before the write (guest updates). */
  before?: Prisma.InputJsonValue;
  /** The cache as the PMS now holds it. */
  cache?: (tx: Prisma.TransactionClient) => Promise<void>;
}

type Ctx = { adapter: PmsAdapter; property: PmsProperty; write: PmsWrite; lookFirst: boolean };

const asJson = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as Prisma.InputJsonValue;

async function charge(ctx: Ctx, req: Extract<WriteRequest, { operation: 'charge' }>): Promise<Performed> {
  const { adapter, write } = ctx;
  if (ctx.lookFirst) {
    const found = await adapter.findCharge(req.reservationVendorId, write.reference);
    if (found) return { result: { status: 'succeeded', foundExisting: true, charge: found }, vendorResponse: asJson({ found }) };
  }
  const posted = await adapter.postCharge({ reservationVendorId: req.reservationVendorId, amount: req.amount, description: req.description, itemCode: req.itemCode, reference: write.reference });
  return { result: { status: 'succeeded', foundExisting: false, charge: posted }, vendorResponse: asJson({ posted }) };
}

async function note(ctx: Ctx, req: Extract<WriteRequest, { operation: 'note' }>): Promise<Performed> {
  const { adapter, write } = ctx;
  if (ctx.lookFirst) {
    const found = await adapter.findNote(req.reservationVendorId, write.reference);
    if (found) return { result: { status: 'succeeded', foundExisting: true, note: found }, vendorResponse: asJson({ found }) };
  }
  const posted = await adapter.postNote({ reservationVendorId: req.reservationVendorId, text: req.text, reference: write.reference });
  return { result: { status: 'succeeded', foundExisting: false, note: posted }, vendorResponse: asJson({ posted }) };
}

const PATCH_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'language', 'preferences'] as const;

/** The profile's values of the fields a patch names (what a conflict shows side by side). */
const patchedFields = (guest: PmsGuest, patch: GuestPatch) => Object.fromEntries(PATCH_FIELDS.filter((f) => f in patch).map((f) => [f, guest[f]]));

/** Whether the profile already holds the patch (an earlier attempt of this request applied it). */
function holdsPatch(guest: PmsGuest, patch: GuestPatch, property: PmsProperty): boolean {
  const region = regionOf(property);
  return PATCH_FIELDS.every((field) => {
    if (!(field in patch)) return true;
    if (field === 'preferences') return JSON.stringify(guest.preferences) === JSON.stringify(patch.preferences);
    if (field === 'phone') {
      const [a, b] = [normaliseGuestPhone({ phone: guest.phone }, region), normaliseGuestPhone({ phone: patch.phone ?? null }, region)];
      return (a.e164 ?? a.raw) === (b.e164 ?? b.raw);
    }
    return (guest[field] ?? null) === (patch[field] ?? null);
  });
}

async function guestUpdate(ctx: Ctx, req: Extract<WriteRequest, { operation: 'guest_update' }>): Promise<Performed> {
  const { adapter, property } = ctx;
  const current = await adapter.getGuest(req.guestVendorId);
  if (!current) return { result: { status: 'failed', problem: 'not_found', message: `${property.vendor} has no guest ${req.guestVendorId}` }, vendorResponse: null as unknown as Prisma.InputJsonValue };
  const cache = (guest: PmsGuest) => (tx: Prisma.TransactionClient) => cacheGuests(tx, property, [guest], new Date());
  if (current.version !== req.version) {
    if (ctx.lookFirst && holdsPatch(current, req.patch, property)) {
      return { result: { status: 'succeeded', foundExisting: true, guest: { vendorId: current.vendorId, version: current.version } }, vendorResponse: asJson({ found: current }), cache: cache(current) };
    }
    const conflict = { current: { ...patchedFields(current, req.patch), version: current.version }, requested: { ...req.patch, version: req.version } };
    return {
      result: { status: 'failed', problem: 'version_conflict', message: `The guest was changed in ${property.vendor} since version ${req.version} was read (now ${current.version}); nothing was overwritten`, conflict },
      vendorResponse: asJson({ current }),
    };
  }
  const updated = await adapter.updateGuest(req.guestVendorId, req.patch);
  return {
    result: { status: 'succeeded', foundExisting: false, guest: { vendorId: updated.vendorId, version: updated.version } },
    vendorResponse: asJson({ updated }),
    before: asJson(patchedFields(current, req.patch)),
    cache: cache(updated),
  };
}

function perform(ctx: Ctx): Promise<Performed> {
  const req = ctx.write.request as unknown as WriteRequest;
  switch (req.operation) {
    case 'charge':
      return charge(ctx, req);
    case 'note':
      return note(ctx, req);
    case 'guest_update':
      return guestUpdate(ctx, req);
  }
}

export function createWriteActivities(deps: PmsActivityDeps) {
  const { prisma } = deps;

  function audit(db: Pick<Prisma.TransactionClient, 'auditLog'>, write: PmsWrite, attempt: number, outcome: string, details: { vendorResponse: unknown; durationMs: number; before?: unknown; vendor?: string }) {
    return writeAudit(db, {
      actor: write.requestedBy,
      action: `pms.${write.operation}.${outcome}`,
      entity: 'pms_property',
      entityId: write.propertyId,
      before: details.before === undefined ? null : asJson(details.before),
      after: asJson({
        writeId: write.id,
        operation: write.operation,
        vendor: details.vendor,
        idempotencyKey: write.idempotencyKey,
        reference: write.reference,
        request: write.request,
        vendorResponse: details.vendorResponse,
        durationMs: Math.round(details.durationMs),
        attempt,
      }),
      correlationId: write.workflowId,
      idempotencyKey: `pms-write:${write.id}:${attempt}`,
    });
  }

  return {
    /** One attempt at the write; a PMS that did not answer fails the attempt (Temporal retries it). */
    async pmsPerformWrite(input: { writeId: string }): Promise<WriteResult> {
      const write = await findWrite(prisma, input.writeId);
      const stored = storedResult(write);
      if (stored) return stored;
      const attempt = (await countAttempt(prisma, write.id)) + 1;
      const started = performance.now();
      let vendor: string | undefined;
      try {
        const { adapter, property } = await deps.runtime.adapterFor(write.propertyId);
        vendor = property.vendor;
        const done = await perform({ adapter, property, write, lookFirst: attempt > 1 });
        const durationMs = performance.now() - started;
        const outcome = done.result.status === 'succeeded' ? 'succeeded' : done.result.status === 'failed' && done.result.problem === 'version_conflict' ? 'conflict' : 'failed';
        await prisma.$transaction(async (tx) => {
          if (done.cache) await done.cache(tx);
          await finishWrite(tx, write.id, done.result.status === 'succeeded' ? { status: 'succeeded', result: asJson(done.result) } : { status: 'failed', error: asJson(done.result) });
          await audit(tx, write, attempt, outcome, { vendorResponse: done.vendorResponse, durationMs, before: done.before, vendor });
        });
        return done.result;
      } catch (err) {
        const durationMs = performance.now() - started;
        const failure = err instanceof ApplicationFailure ? err : undefined;
        const problem = pmsProblemOf(failure?.type);
        const response = { failure: failure?.type ?? 'Error', message: err instanceof Error ? err.message.slice(0, 500) : String(err) };
        if (failure && (failure.nonRetryable || problem !== 'unavailable')) {
          const result: WriteResult = { status: 'failed', problem, message: response.message };
          await prisma.$transaction(async (tx) => {
            await finishWrite(tx, write.id, { status: 'failed', error: asJson(result) });
            await audit(tx, write, attempt, 'failed', { vendorResponse: response, durationMs, vendor });
          });
          return result;
        }
        // The PMS did not answer: this attempt is on record, and the next one looks before it writes.
        await audit(prisma, write, attempt, 'attempt_failed', { vendorResponse: response, durationMs, vendor });
        throw err;
      }
    },

    /** Every attempt failed to get an answer: a retry with the same key picks the write up again. */
    async pmsMarkWriteUnresolved(input: { writeId: string; message: string }): Promise<WriteResult> {
      const result: WriteResult = { status: 'unresolved', message: input.message };
      await finishWrite(prisma, input.writeId, { status: 'unresolved', error: asJson(result) });
      return storedResult(await findWrite(prisma, input.writeId)) ?? result;
    },
  };
}

export type PmsWriteActivities = ReturnType<typeof createWriteActivities>;
