import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../errors';
import type { PmsProperty, PrismaClient } from '../../generated/prisma/client';
import type { SecretSealer } from '../sealed-secrets';

/**
 * PMS properties: one row per hotel, its vendor credentials sealed for the row, its poll
 * settings and its freshness. Shared by the API, the starters and the activities.
 */

/** The context a property's credentials are sealed for: a sealed value copied onto another row does not open. */
export const credentialsContext = (propertyId: string) => `pms_property:${propertyId}`;

export interface PropertyFields {
  name: string;
  vendorPropertyId: string;
  timezone: string;
  country: string;
  pollIntervalSeconds: number;
  pollEnabled: boolean;
  welcomeTemplate: string | null;
  welcomeChannel: 'sms' | 'whatsapp';
}

export interface NewProperty extends PropertyFields {
  vendor: string;
  credentials: Record<string, unknown>;
}

/** Limits reads to a key's properties (undefined: every property). */
export type PropertyScope = readonly string[] | undefined;

const inScope = (scope: PropertyScope) => (scope ? { id: { in: [...scope] } } : {});

/**
 * Creates the property; a deleted one of the same hotel is restored (same id, its cache kept)
 * with the new settings. A hotel has one property: a second one is a conflict.
 */
export async function createProperty(prisma: PrismaClient, sealer: SecretSealer, input: NewProperty): Promise<{ property: PmsProperty; restored: boolean }> {
  const existing = await prisma.pmsProperty.findUnique({ where: { vendor_vendorPropertyId: { vendor: input.vendor, vendorPropertyId: input.vendorPropertyId } } });
  const { credentials, ...fields } = input;
  if (existing && !existing.deletedAt) {
    throw new ConflictError(`Hotel ${input.vendorPropertyId} of ${input.vendor} is property ${existing.id} already`, { propertyId: existing.id });
  }
  if (existing) {
    const property = await prisma.pmsProperty.update({
      where: { id: existing.id },
      data: { ...fields, credentials: sealer.seal(JSON.stringify(credentials), credentialsContext(existing.id)), deletedAt: null, lastError: null, lastErrorAt: null, updatedAt: new Date() },
    });
    return { property, restored: true };
  }
  const id = randomUUID();
  const property = await prisma.pmsProperty.create({ data: { id, ...fields, credentials: sealer.seal(JSON.stringify(credentials), credentialsContext(id)) } });
  return { property, restored: false };
}

export type PropertyChanges = Partial<PropertyFields> & { credentials?: Record<string, unknown> };

export async function updateProperty(prisma: PrismaClient, sealer: SecretSealer, id: string, changes: PropertyChanges): Promise<PmsProperty> {
  const { credentials, ...fields } = changes;
  if (fields.vendorPropertyId !== undefined) {
    const current = await prisma.pmsProperty.findUniqueOrThrow({ where: { id } });
    const taken = await prisma.pmsProperty.findUnique({ where: { vendor_vendorPropertyId: { vendor: current.vendor, vendorPropertyId: fields.vendorPropertyId } } });
    if (taken && taken.id !== id) throw new ConflictError(`Hotel ${fields.vendorPropertyId} of ${current.vendor} is another property`, { field: 'vendorPropertyId' });
  }
  return prisma.pmsProperty.update({
    where: { id },
    data: {
      ...fields,
      ...(credentials !== undefined && { credentials: sealer.seal(JSON.stringify(credentials), credentialsContext(id)) }),
      updatedAt: new Date(),
    },
  });
}

export async function softDeleteProperty(prisma: PrismaClient, id: string): Promise<PmsProperty> {
  return prisma.pmsProperty.update({ where: { id }, data: { deletedAt: new Date(), updatedAt: new Date() } });
}

/** The live property, if the scope includes it: a foreign or deleted one is simply absent. */
export async function findProperty(prisma: PrismaClient, id: string, scope?: PropertyScope): Promise<PmsProperty | null> {
  if (scope && !scope.includes(id)) return null;
  return prisma.pmsProperty.findFirst({ where: { id, deletedAt: null } });
}

/** `findProperty` or a 404 that says nothing about properties outside the scope. */
export async function requireProperty(prisma: PrismaClient, id: string, scope?: PropertyScope): Promise<PmsProperty> {
  const property = await findProperty(prisma, id, scope);
  if (!property) throw new NotFoundError(`No property ${id}`);
  return property;
}

export async function listProperties(prisma: PrismaClient, scope: PropertyScope, filter: { vendor?: string } = {}): Promise<PmsProperty[]> {
  return prisma.pmsProperty.findMany({ where: { deletedAt: null, ...inScope(scope), ...(filter.vendor && { vendor: filter.vendor }) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

/** The property's vendor credentials, unsealed (activities only; never answered by the API). */
export const openCredentials = (sealer: SecretSealer, property: Pick<PmsProperty, 'id' | 'credentials'>): unknown =>
  JSON.parse(sealer.open(property.credentials, credentialsContext(property.id)));

/** Freshness after a poll: `lastPollOkAt` only moves on success; the error stays until the next success. */
export async function recordPoll(prisma: PrismaClient, id: string, outcome: { ok: true } | { ok: false; error: string }): Promise<void> {
  const at = new Date();
  await prisma.pmsProperty.update({
    where: { id },
    data: outcome.ok ? { lastPollAt: at, lastPollOkAt: at, lastError: null, lastErrorAt: null } : { lastPollAt: at, lastError: outcome.error.slice(0, 1_000), lastErrorAt: at },
  });
}

export async function recordPush(prisma: PrismaClient, id: string): Promise<void> {
  await prisma.pmsProperty.update({ where: { id }, data: { lastPushAt: new Date() } });
}

/** Seconds since the last successful poll or push; null before the first. */
export function syncLagSeconds(property: Pick<PmsProperty, 'lastPollOkAt' | 'lastPushAt' | 'createdAt'>, now = Date.now()): number | null {
  const last = Math.max(property.lastPollOkAt?.getTime() ?? 0, property.lastPushAt?.getTime() ?? 0);
  return last === 0 ? null : Math.max(0, Math.round((now - last) / 1000));
}
