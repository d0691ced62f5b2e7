import { randomInt } from 'node:crypto';
import { type Express } from 'express';
import request from 'supertest';
import { bearer, useRelay } from '../helpers/relay';

/**
 * The companies API: create, read, list, change with If-Match (428 without it, 412 when stale,
 * naming the current version), soft delete; KVK validation (400 naming the field) and unique
 * values (409 naming the field); every write in the audit log, listed by GET /v1/audit.
 */

/** A KVK number no other test uses (eight digits, not starting with 0). */
const freshKvk = () => String(randomInt(10_000_000, 99_999_999));

describe('companies API', () => {
  const relay = useRelay();
  let app: Express;
  beforeAll(() => {
    app = relay().app;
  });

  const as = (role: 'service' | 'operator' = 'service') => ({ authorization: bearer(role) });
  const create = (body: object) => request(app).post('/v1/companies').set(as()).send(body);

  it('creates a company (201, ETag = version, KVK normalised) and reads it back', async () => {
    const kvk = freshKvk();
    const res = await create({ name: '  Bakkerij Jansen B.V. ', chamberOfCommerceId: `${kvk.slice(0, 2)}.${kvk.slice(2, 4)} ${kvk.slice(4)}`, postalCode: '1015cj', buildingNumber: '12', city: 'Amsterdam', country: 'nl' });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/v1/companies/${res.body.id}`);
    expect(res.body).toMatchObject({ name: 'Bakkerij Jansen B.V.', chamberOfCommerceId: kvk, postalCode: '1015 CJ', country: 'NL', version: 1, deletedAt: null, links: [] });
    expect(typeof res.body.syncRequested).toBe('boolean');

    const read = await request(app).get(`/v1/companies/${res.body.id}`).set(as());
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.body).toMatchObject({ id: res.body.id, chamberOfCommerceId: kvk });
  });

  it('refuses an invalid KVK with 400 naming the field, and a KVK another company holds with 409 naming it', async () => {
    for (const bad of ['1234567', '123456789', '12ab5678', '00000000']) {
      const res = await create({ name: 'Bad KVK B.V.', chamberOfCommerceId: bad });
      expect(res.status).toBe(400);
      expect(res.body.issues[0].path).toEqual(['chamberOfCommerceId']);
      expect(res.body.message).toContain('chamberOfCommerceId');
    }
    const kvk = freshKvk();
    expect((await create({ name: 'First B.V.', chamberOfCommerceId: kvk })).status).toBe(201);
    const dup = await create({ name: 'Second B.V.', chamberOfCommerceId: `${kvk.slice(0, 4)} ${kvk.slice(4)}` });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ error: 'conflict', field: 'chamberOfCommerceId' });

    const missingName = await create({ city: 'Utrecht' });
    expect(missingName.status).toBe(400);
    expect(missingName.body.issues[0].path).toEqual(['name']);
    const unknownField = await create({ name: 'X', id: '7d1c0a3e-0000-4000-8000-000000000000' });
    expect(unknownField.status).toBe(400);
  });

  it('changes a company only against the version read: 428 without If-Match, 412 naming the current version when stale', async () => {
    const { body: company } = await create({ name: 'Versioned B.V.', city: 'Delft' });
    const put = (ifMatch: string | undefined, body: object) => {
      const req = request(app).put(`/v1/companies/${company.id}`).set(as());
      return (ifMatch === undefined ? req : req.set('if-match', ifMatch)).send(body);
    };

    const missing = await put(undefined, { city: 'Leiden' });
    expect(missing.status).toBe(428);
    expect(missing.body).toMatchObject({ error: 'precondition_required', header: 'If-Match' });

    const changed = await put('"1"', { city: 'Leiden' });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).toBe('"2"');
    expect(changed.body).toMatchObject({ city: 'Leiden', name: 'Versioned B.V.', version: 2 });

    // Someone else's edit (here: the first one) came in between: nothing is overwritten.
    const stale = await put('"1"', { city: 'Gouda' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ error: 'precondition_failed', currentVersion: 2 });
    expect(stale.body.message).toContain('version 2');
    expect((await request(app).get(`/v1/companies/${company.id}`).set(as())).body.city).toBe('Leiden');

    // W/"2" and a bare 2 name the same version; `*` names none.
    expect((await put('W/"2"', { buildingNumber: '7' })).status).toBe(200);
    expect((await put('3', { buildingNumberAddition: 'A' })).status).toBe(200);
    const star = await put('*', { city: 'Gouda' });
    expect(star.status).toBe(400);
    expect(star.body.message).toContain('If-Match');

    const badKvk = await put('"4"', { chamberOfCommerceId: '123' });
    expect(badKvk.status).toBe(400);
    expect(badKvk.body.issues[0].path).toEqual(['chamberOfCommerceId']);

    const unknown = await request(app).put('/v1/companies/7d1c0a3e-0000-4000-8000-000000000000').set(as()).set('if-match', '"1"').send({ city: 'X' });
    expect(unknown.status).toBe(404);
    const notUuid = await request(app).put('/v1/companies/not-a-uuid').set(as()).set('if-match', '"1"').send({ city: 'X' });
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.issues[0].path).toEqual(['id']);
  });

  it('refuses a change that takes a KVK another company holds (409 naming the field)', async () => {
    const kvk = freshKvk();
    await create({ name: 'Holder B.V.', chamberOfCommerceId: kvk });
    const { body: other } = await create({ name: 'Other B.V.' });
    const res = await request(app).put(`/v1/companies/${other.id}`).set(as()).set('if-match', '"1"').send({ chamberOfCommerceId: kvk });
    expect(res.status).toBe(409);
    expect(res.body.field).toBe('chamberOfCommerceId');
  });

  it('soft-deletes (If-Match optional, 412 when stale), keeps the row, and refuses edits of a deleted company', async () => {
    const { body: company } = await create({ name: 'Going B.V.' });
    const stale = await request(app).delete(`/v1/companies/${company.id}`).set(as()).set('if-match', '"7"');
    expect(stale.status).toBe(412);
    expect(stale.body.currentVersion).toBe(1);

    const deleted = await request(app).delete(`/v1/companies/${company.id}`).set(as());
    expect(deleted.status).toBe(200);
    expect(deleted.body.deletedAt).not.toBeNull();
    expect(deleted.body.version).toBe(2);
    const again = await request(app).delete(`/v1/companies/${company.id}`).set(as());
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
    expect(await relay().prisma.company.count({ where: { id: company.id } })).toBe(1);

    const edit = await request(app).put(`/v1/companies/${company.id}`).set(as()).set('if-match', '"2"').send({ name: 'Back B.V.' });
    expect(edit.status).toBe(409);

    const live = await request(app).get('/v1/companies?limit=500').set(as());
    expect(live.body.items.map((c: { id: string }) => c.id)).not.toContain(company.id);
    const gone = await request(app).get('/v1/companies?deleted=only&limit=500').set(as());
    expect(gone.body.items.map((c: { id: string }) => c.id)).toContain(company.id);
    expect(gone.body.items.every((c: { deletedAt: string | null }) => c.deletedAt !== null)).toBe(true);
  });

  it('lists companies newest first in pages with an opaque cursor, and filters by sync status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create({ name: `Paged ${i} B.V.` })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    // The first pages only (the database is shared with other test files: it may hold thousands of companies,
    // and their background runs may add some meanwhile).
    for (let pages = 0; pages < 10; pages++) {
      const res: request.Response = await request(app)
        .get(`/v1/companies?limit=2&deleted=include${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as());
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(new Set(seen).size).toBe(seen.length);
    // Newest first: the five just made come last one first (whatever else was created meanwhile).
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());

    const bad = await request(app).get('/v1/companies?cursor=not-a-cursor').set(as());
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toEqual(['cursor']);

    const unlinked = await request(app).get('/v1/companies?syncStatus=UNLINKED&limit=500').set(as());
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.items.every((c: { links: unknown[] }) => c.links.length === 0)).toBe(true);
    const conflicted = await request(app).get('/v1/companies?syncStatus=CONFLICT').set(as());
    expect(conflicted.body.items.every((c: { links: Array<{ status: string }> }) => c.links.some((l) => l.status === 'CONFLICT'))).toBe(true);
    expect((await request(app).get('/v1/companies?syncStatus=MAYBE').set(as())).status).toBe(400);
  });

  it('lists every write in the audit log (operator only), newest first, with before and after', async () => {
    const { body: company } = await create({ name: 'Audited B.V.', city: 'Zwolle' });
    await request(app).put(`/v1/companies/${company.id}`).set(as()).set('if-match', '"1"').send({ city: 'Kampen' });
    await request(app).delete(`/v1/companies/${company.id}`).set(as());

    expect((await request(app).get(`/v1/audit?entityId=${company.id}`).set(as('service'))).status).toBe(403);
    const res = await request(app).get(`/v1/audit?entity=company&entityId=${company.id}`).set(as('operator'));
    expect(res.status).toBe(200);
    expect(res.body.items.map((a: { action: string }) => a.action)).toEqual(['company.deleted', 'company.updated', 'company.created']);
    expect(res.body.items.every((a: { actor: string }) => a.actor === 'ci')).toBe(true);
    const update = res.body.items[1];
    expect(update.before).toMatchObject({ city: 'Zwolle', version: 1 });
    expect(update.after).toMatchObject({ city: 'Kampen', version: 2 });

    const first = await request(app).get(`/v1/audit?entityId=${company.id}&limit=2`).set(as('operator'));
    expect(first.body.items).toHaveLength(2);
    const second = await request(app).get(`/v1/audit?entityId=${company.id}&limit=2&cursor=${first.body.nextCursor}`).set(as('operator'));
    expect(second.body.items.map((a: { action: string }) => a.action)).toEqual(['company.created']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('needs an API key, and describes every route in the OpenAPI document', async () => {
    expect((await request(app).get('/v1/companies')).status).toBe(401);
    const doc = await request(app).get('/openapi.json');
    const paths = Object.keys(doc.body.paths);
    for (const path of [
      '/v1/companies',
      '/v1/companies/{id}',
      '/v1/sync/conflicts',
      '/v1/sync/conflicts/{id}',
      '/v1/sync/conflicts/{id}/resolve',
      '/v1/audit',
      '/v1/exact/connect',
      '/v1/exact/callback',
      '/v1/exact/connections',
      '/v1/exact/connections/{id}/divisions',
      '/v1/exact/divisions',
      '/v1/exact/divisions/{division}/sync',
      '/v1/exact/divisions/{division}/pause',
      '/v1/exact/divisions/{division}/resume',
      '/v1/exact/divisions/{division}/import',
    ]) {
      expect(paths).toContain(path);
    }
    expect(Object.keys(doc.body.paths['/v1/companies/{id}'])).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
  });
});
