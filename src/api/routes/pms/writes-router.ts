import { type Request, type Response, Router } from 'express';
import { findCachedGuest, findCachedReservation } from '../../../db/pms/cache';
import { requireProperty } from '../../../db/pms/properties';
import type { WriteRequest } from '../../../domain/pms/writes';
import { ConflictError } from '../../../errors';
import type { PmsProperty } from '../../../generated/prisma/client';
import { requestPmsWrite } from '../../../temporal/starters/pms-writes';
import { principalOf, requireRole } from '../../auth';
import { requestProblem } from '../../request-problem';
import { validated } from '../../validate';
import type { PmsRouteDeps } from './deps';
import { PmsUnavailableError, problemError } from './problems';
import { ChargeBody, GuestParams, GuestPatchBody, IDEMPOTENCY_KEY, NoteBody, ReservationParams } from './schemas';
import { scopeOf } from './scope';
import { guestView } from './views';

/**
 * Write-through to the PMS: charges, notes and guest updates, each a workflow keyed by the
 * caller's `Idempotency-Key` (required). The PMS is written first; the cache and the audit log
 * follow its answer. A repeat of a key answers its recorded outcome; a key reused for another
 * request is refused (422).
 */
export function writesRouter(deps: PmsRouteDeps): Router {
  const router = Router();
  const { prisma } = deps;
  const property = (id: string, res: Response) => requireProperty(prisma, id, scopeOf(deps.keys, res));

  function idempotencyKey(req: Request): string {
    const key = req.get('idempotency-key');
    if (key === undefined) throw requestProblem('params', 'Idempotency-Key', 'header is required: one key of your choosing per write, sent again unchanged with every retry of it');
    if (!IDEMPOTENCY_KEY.test(key)) throw requestProblem('params', 'Idempotency-Key', 'must be 1-100 letters, digits, dots, colons, dashes or underscores');
    return key;
  }

  async function write(req: Request, res: Response, p: PmsProperty, request: WriteRequest, created: number): Promise<void> {
    const key = idempotencyKey(req);
    const { write: row, result, replayed } = await requestPmsWrite(
      { ...deps.starter, prisma },
      { property: p, idempotencyKey: key, request, requestedBy: principalOf(res).name, waitMs: deps.settings.writeWaitMs },
    );
    const base = { writeId: row.id, operation: row.operation, idempotencyKey: key, reference: row.reference, replayed, workflowId: row.workflowId, webUiUrl: deps.webUiUrl(row.workflowId) };
    if (!result) return void res.status(202).json({ ...base, status: 'pending' });
    switch (result.status) {
      case 'succeeded': {
        const guest = result.guest ? await findCachedGuest(prisma, p.id, result.guest.vendorId) : null;
        res.status(created).json({ ...base, status: 'succeeded', foundExisting: result.foundExisting, charge: result.charge, note: result.note, guest: guest ? guestView(guest) : undefined });
        return;
      }
      case 'failed':
        if (result.problem === 'version_conflict') throw new ConflictError(result.message, { reason: 'version_conflict', ...result.conflict, writeId: row.id });
        throw problemError(result.problem, result.message, { writeId: row.id });
      case 'unresolved':
        throw new PmsUnavailableError(
          'pms_write_unresolved',
          `${result.message}. Send the same request with the same Idempotency-Key again: Relay looks for the write at the PMS before making it again`,
          { writeId: row.id },
        );
    }
  }

  const reservationVendorId = async (p: PmsProperty, ref: string) => (await findCachedReservation(prisma, p.id, ref))?.vendorId ?? ref;

  router.post(
    '/v1/properties/:id/reservations/:reservationId/charges',
    requireRole('service'),
    validated({ params: ReservationParams, body: ChargeBody }, async ({ params, body }, req, res) => {
      const p = await property(params.id, res);
      const request: WriteRequest = {
        operation: 'charge',
        reservationVendorId: await reservationVendorId(p, params.reservationId),
        amount: body.amount,
        description: body.description,
        ...(body.itemCode !== undefined && { itemCode: body.itemCode }),
      };
      await write(req, res, p, request, 201);
    }),
  );

  router.post(
    '/v1/properties/:id/reservations/:reservationId/notes',
    requireRole('service'),
    validated({ params: ReservationParams, body: NoteBody }, async ({ params, body }, req, res) => {
      const p = await property(params.id, res);
      await write(req, res, p, { operation: 'note', reservationVendorId: await reservationVendorId(p, params.reservationId), text: body.text }, 201);
    }),
  );

  router.patch(
    '/v1/properties/:id/guests/:guestId',
    requireRole('service'),
    validated({ params: GuestParams, body: GuestPatchBody }, async ({ params, body }, req, res) => {
      const p = await property(params.id, res);
      const { version, ...patch } = body;
      const guestVendorId = (await findCachedGuest(prisma, p.id, params.guestId))?.vendorId ?? params.guestId;
      await write(req, res, p, { operation: 'guest_update', guestVendorId, version, patch }, 200);
    }),
  );

  return router;
}
