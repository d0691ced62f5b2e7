import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ErrorBody, errorResponses } from '../../openapi';
import {
  ChargeBody,
  CreatePropertyBody,
  EventList,
  GuestAnswer,
  GuestParams,
  GuestPatchBody,
  IdempotencyKeyHeader,
  ListEventsQuery,
  ListPropertiesQuery,
  NoteBody,
  PropertyList,
  PropertyParams,
  PropertyView,
  RefreshAnswer,
  ReservationAnswer,
  ReservationParams,
  ReservationsAnswer,
  RoomsAnswer,
  ScheduleActionBody,
  ScheduleView,
  SearchReservationsQuery,
  UpdatePropertyBody,
  VendorList,
  VendorParams,
  WriteAnswer,
} from './schemas';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json(ErrorBody) });
const security = [{ bearer: [] }];
const SCOPED = 'A key limited to some properties (RELAY_API_KEY_PROPERTIES) gets 404 for the others.';
const READ =
  'Answered from the cache while its copy is younger than the data type’s TTL (PMS_CACHE_TTL_*); otherwise read from the PMS into the cache. ' +
  'When the PMS cannot answer, the cached copy is answered with `stale: true` and its `syncedAt`; 503 only when nothing is cached.';
const WRITE =
  'Written to the PMS first, then the cache and the audit log (every attempt is audited). `Idempotency-Key` is required: a repeat answers the recorded outcome ' +
  'and never writes twice (an attempt whose answer was lost is looked up at the PMS by its reference before anything is written again); the same key with another request is 422. ' +
  'While the PMS has not answered within PMS_WRITE_WAIT the answer is 202 `pending`: ask again with the same key.';
const writeErrors = {
  ...errorResponses([400, 401, 403, 404]),
  422: error('The PMS refused the write (`reason: pms_rejected`), the vendor cannot do it (`unsupported_operation`), or the key was used for another request (`idempotency_key_reused`)'),
  503: error('The PMS did not answer (`pms_write_unresolved`: retry with the same key), refused the property’s credentials, or its vendor is not configured'),
};

export function registerPmsOpenApi(registry: OpenAPIRegistry): void {
  registerProperties(registry);
  registerReads(registry);
  registerWrites(registry);
  registry.registerPath({
    method: 'get',
    path: '/v1/pms/vendors',
    summary: 'The PMS vendors Relay speaks: pinned API version, configured here or not (and what would enable it), the capability table, the push URL',
    security,
    responses: { 200: { description: 'The vendors', ...json(VendorList) }, ...errorResponses([401, 403]) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/pms/vendors/{vendor}/pause',
    summary: 'Lift a vendor-wide pause of calls now (operator), when the vendor has lifted its ban sooner',
    security,
    request: { params: VendorParams },
    responses: { 204: { description: 'No pause runs any more' }, ...errorResponses([401, 403, 404]) },
  });
}

function registerProperties(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'post',
    path: '/v1/properties',
    summary: 'Add a hotel (operator): its vendor, the vendor’s credentials (sealed, never answered), time zone and country; its arrivals schedule is created',
    description: 'A deleted property of the same hotel is restored. The vendor must be registered and configured (422 naming the missing variables otherwise).',
    security,
    request: { body: json(CreatePropertyBody) },
    responses: {
      201: { description: 'Created', ...json(PropertyView) },
      ...errorResponses([400, 401, 403]),
      409: error('The hotel is a property already (`propertyId`)'),
      422: error('The vendor is not configured in this deployment (`missing`)'),
      503: error('The arrivals schedule could not be created; nothing was saved'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/properties',
    summary: 'The properties this key may see, with their freshness (time since the last successful poll or push)',
    security,
    request: { query: ListPropertiesQuery },
    responses: { 200: { description: 'The properties', ...json(PropertyList) }, ...errorResponses([400, 401, 403]) },
  });
  for (const [method, summary] of [
    ['get', 'One property with its freshness'],
    ['patch', 'Change a property (operator): settings, credentials, poll interval; its schedule follows'],
    ['delete', 'Delete a property (operator): its schedule is deleted, its cache kept until it is created again'],
  ] as const) {
    registry.registerPath({
      method,
      path: '/v1/properties/{id}',
      summary,
      description: SCOPED,
      security,
      request: { params: PropertyParams, ...(method === 'patch' && { body: json(UpdatePropertyBody) }) },
      responses: { [method === 'delete' ? 204 : 200]: { description: 'Done', ...(method !== 'delete' && json(PropertyView)) }, ...errorResponses([400, 401, 403, 404]) },
    });
  }
  registry.registerPath({
    method: 'post',
    path: '/v1/properties/{id}/refresh',
    summary: 'Refresh the property’s cache now: today’s and tomorrow’s arrivals (with their events) and the rooms',
    security,
    request: { params: PropertyParams },
    responses: { 200: { description: 'Refreshed', ...json(RefreshAnswer) }, 202: { description: 'Still running after PMS_WRITE_WAIT' }, ...errorResponses([400, 401, 403, 404, 503]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/properties/{id}/events',
    summary: 'The property’s arrival events (arrival.new / arrival.changed / arrival.cancelled), newest first',
    security,
    request: { params: PropertyParams, query: ListEventsQuery },
    responses: { 200: { description: 'A page of events', ...json(EventList) }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/properties/{id}/schedule',
    summary: 'The arrivals schedule (`pms-arrivals-<id>`): paused or not, next and recent runs',
    security,
    request: { params: PropertyParams },
    responses: { 200: { description: 'The schedule', ...json(ScheduleView) }, ...errorResponses([400, 401, 403, 404, 409]) },
  });
  for (const action of ['pause', 'resume', 'trigger'] as const) {
    registry.registerPath({
      method: 'post',
      path: `/v1/properties/{id}/schedule/${action}`,
      summary: { pause: 'Pause the arrivals poll (operator)', resume: 'Resume the arrivals poll (operator)', trigger: 'Poll the arrivals now, unless a poll is running (operator)' }[action],
      security,
      request: { params: PropertyParams, ...(action !== 'trigger' && { body: json(ScheduleActionBody) }) },
      responses: { [action === 'trigger' ? 202 : 200]: { description: 'The schedule', ...json(ScheduleView) }, ...errorResponses([400, 401, 403, 404]) },
    });
  }
}

function registerReads(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/properties/{id}/guests/{guestId}',
    summary: 'A guest profile (phone normalised to E.164 with the hotel’s country, or flagged)',
    description: `${READ} ${SCOPED}`,
    security,
    request: { params: GuestParams },
    responses: { 200: { description: 'The guest', ...json(GuestAnswer) }, ...errorResponses([400, 401, 403, 404, 503]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/properties/{id}/reservations/{reservationId}',
    summary: 'A reservation',
    description: `${READ} ${SCOPED}`,
    security,
    request: { params: ReservationParams },
    responses: { 200: { description: 'The reservation', ...json(ReservationAnswer) }, ...errorResponses([400, 401, 403, 404, 503]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/properties/{id}/reservations',
    summary: 'Search reservations by confirmation number, guest last name or arrival dates',
    description: `A confirmation number is answered from a fresh cached copy; other searches ask the PMS. ${READ}`,
    security,
    request: { params: PropertyParams, query: SearchReservationsQuery },
    responses: { 200: { description: 'The reservations', ...json(ReservationsAnswer) }, ...errorResponses([400, 401, 403, 404, 503]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/properties/{id}/rooms',
    summary: 'Rooms and their housekeeping status',
    description: READ,
    security,
    request: { params: PropertyParams },
    responses: { 200: { description: 'The rooms', ...json(RoomsAnswer) }, ...errorResponses([400, 401, 403, 404, 503]) },
  });
}

function registerWrites(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'post',
    path: '/v1/properties/{id}/reservations/{reservationId}/charges',
    summary: 'Post a charge to the reservation’s folio, once per Idempotency-Key',
    description: WRITE,
    security,
    request: { params: ReservationParams, headers: IdempotencyKeyHeader, body: json(ChargeBody) },
    responses: { 201: { description: 'Posted', ...json(WriteAnswer) }, 202: { description: 'Pending', ...json(WriteAnswer) }, ...writeErrors },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/properties/{id}/reservations/{reservationId}/notes',
    summary: 'Post a note to the reservation, once per Idempotency-Key',
    description: WRITE,
    security,
    request: { params: ReservationParams, headers: IdempotencyKeyHeader, body: json(NoteBody) },
    responses: { 201: { description: 'Posted', ...json(WriteAnswer) }, 202: { description: 'Pending', ...json(WriteAnswer) }, ...writeErrors },
  });
  registry.registerPath({
    method: 'patch',
    path: '/v1/properties/{id}/guests/{guestId}',
    summary: 'Update a guest profile against the version you read',
    description: `${WRITE} When the hotel changed the profile since \`version\`, the answer is 409 with the PMS's current values and yours (\`current\`, \`requested\`); nothing is overwritten.`,
    security,
    request: { params: GuestParams, headers: IdempotencyKeyHeader, body: json(GuestPatchBody) },
    responses: { 200: { description: 'Updated', ...json(WriteAnswer) }, 202: { description: 'Pending', ...json(WriteAnswer) }, ...writeErrors, 409: error('The guest changed at the hotel since `version`') },
  });
}
