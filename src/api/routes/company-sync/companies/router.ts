import { type Response, Router } from 'express';
import { type CompanyInput, type WriteContext, createCompany, softDeleteCompany, updateCompany } from '../../../../db/company-sync/companies';
import { findCompanyWithLinks, listCompanies } from '../../../../db/company-sync/company-queries';
import { ConflictError, NotFoundError } from '../../../../errors';
import type { Company } from '../../../../generated/prisma/client';
import { requestCompanySync } from '../../../../temporal/starters/company-sync';
import { principalOf, requireRole } from '../../../auth';
import { IdParams, etagOf, ifMatchVersion, page, requiredIfMatch } from '../common';
import type { CompanySyncRouteDeps } from '../deps';
import { CreateCompanyBody, ListCompaniesQuery, UpdateCompanyBody } from './schemas';
import { companyView } from './view';
import { validated } from '../../../validate';

/**
 * Companies as Relay owns them. Every write is versioned (If-Match) and audited, then the
 * company's outbound sync to Exact is requested (signal-with-start: edits made while one runs
 * coalesce into it).
 */
export function companiesRouter(deps: CompanySyncRouteDeps): Router {
  const router = Router();

  router.get(
    '/v1/companies',
    requireRole('service'),
    validated({ query: ListCompaniesQuery }, async ({ query }, _req, res) => {
      const { limit, cursor, ...filter } = query;
      const rows = await listCompanies(deps.prisma, filter, limit, cursor);
      res.json(page(rows, limit, companyView));
    }),
  );

  router.get(
    '/v1/companies/:id',
    requireRole('service'),
    validated({ params: IdParams }, async ({ params }, _req, res) => {
      const company = await findCompanyWithLinks(deps.prisma, params.id);
      if (!company) throw new NotFoundError(`No company ${params.id}`);
      res.set('ETag', etagOf(company.version)).json(companyView(company));
    }),
  );

  router.post(
    '/v1/companies',
    requireRole('service'),
    validated({ body: CreateCompanyBody }, async ({ body }, req, res) => {
      const company = await createCompany(deps.prisma, companyInput(body), writeContext(req.id, res));
      await answer(res.status(201).location(`/v1/companies/${company.id}`), company);
    }),
  );

  router.put(
    '/v1/companies/:id',
    requireRole('service'),
    validated({ params: IdParams, body: UpdateCompanyBody }, async ({ params, body }, req, res) => {
      await exists(params.id, true);
      const expected = requiredIfMatch(req, `/v1/companies/${params.id}`);
      const company = await updateCompany(deps.prisma, params.id, expected, body, writeContext(req.id, res));
      await answer(res, company);
    }),
  );

  router.delete(
    '/v1/companies/:id',
    requireRole('service'),
    validated({ params: IdParams }, async ({ params }, req, res) => {
      await exists(params.id, false);
      // If-Match is optional here: deleting what someone changed meanwhile loses no edit of theirs.
      const expected = ifMatchVersion(req);
      const company = await deps.prisma.$transaction((tx) => softDeleteCompany(tx, params.id, expected, writeContext(req.id, res)));
      await answer(res, company);
    }),
  );

  /** Requests the outbound sync, then answers the company as written (with its ETag). */
  async function answer(res: Response, company: Company): Promise<void> {
    let syncRequested = true;
    try {
      await requestCompanySync(deps.starter, { companyId: company.id, version: company.version, by: principalOf(res).name });
    } catch (err) {
      // The write is committed: answering an error would invite a retry that writes twice.
      syncRequested = false;
      res.req.log?.warn({ err, companyId: company.id }, 'company saved, its sync to Exact could not be requested');
    }
    const withLinks = await findCompanyWithLinks(deps.prisma, company.id);
    res.set('ETag', etagOf(company.version)).json({ ...companyView(withLinks ?? { ...company, syncs: [] }), syncRequested });
  }

  /** 404 before 428 (a caller asking about a company that is not there learns that first); a deleted company is not edited. */
  async function exists(id: string, forWrite: boolean): Promise<void> {
    const row = await deps.prisma.company.findUnique({ where: { id }, select: { deletedAt: true } });
    if (!row) throw new NotFoundError(`No company ${id}`);
    if (forWrite && row.deletedAt) throw new ConflictError(`Company ${id} was deleted at ${row.deletedAt.toISOString()}; a deleted company is not changed`, { deletedAt: row.deletedAt.toISOString() });
  }

  return router;
}

const writeContext = (requestId: unknown, res: Response): WriteContext => ({ actor: principalOf(res).name, correlationId: String(requestId) });

function companyInput(body: { name: string } & Partial<CompanyInput>): CompanyInput {
  return {
    name: body.name,
    chamberOfCommerceId: body.chamberOfCommerceId ?? null,
    streetName: body.streetName ?? null,
    buildingNumber: body.buildingNumber ?? null,
    buildingNumberAddition: body.buildingNumberAddition ?? null,
    postalCode: body.postalCode ?? null,
    city: body.city ?? null,
    country: body.country ?? null,
    vihbId: body.vihbId ?? null,
    processorId: body.processorId ?? null,
  };
}
