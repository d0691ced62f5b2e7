import type { CompanySync } from '../../../../generated/prisma/client';
import type { CompanyWithLinks } from '../../../../db/company-sync/company-queries';
import type { z } from '../../../openapi';
import type { CompanyLinkView, CompanyView } from './schemas';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function linkView(link: CompanySync): z.infer<typeof CompanyLinkView> {
  return {
    division: link.division,
    exactGuid: link.exactGuid,
    code: link.externalId,
    status: link.syncStatus as z.infer<typeof CompanyLinkView>['status'],
    requiresManualReview: link.requiresManualReview,
    deletedInSource: link.deletedInSource,
    matchRule: link.matchRule,
    matchValues: link.matchValues ?? null,
    syncedFromSourceAt: iso(link.syncedFromSourceAt),
    updatedAt: link.updatedAt.toISOString(),
  };
}

export function companyView(row: CompanyWithLinks): z.infer<typeof CompanyView> {
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    chamberOfCommerceId: row.chamberOfCommerceId,
    vihbId: row.vihbId,
    processorId: row.processorId,
    streetName: row.streetName,
    buildingNumber: row.buildingNumber,
    buildingNumberAddition: row.buildingNumberAddition,
    postalCode: row.postalCode,
    city: row.city,
    country: row.country,
    addressUnparsed: row.addressUnparsed,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deletedAt: iso(row.deletedAt),
    links: row.syncs.map(linkView),
  };
}
