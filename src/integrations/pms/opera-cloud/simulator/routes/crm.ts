/**
 * Guest profiles (crm/v1): `getProfile` (204 "Profile not found"), `putProfile`, and
 * `deletePreference`. What `putProfile` changes (the simulator's reading of OPERA's partial
 * update): the `Primary` person name's given name and surname, `customer.language`, a phone or
 * e-mail entry named by its `id` (one without an id is added as the profile's entry), preferences
 * in `preferenceCollection` (added when new), `privacyInfo.optInSms`. Elements it does not send
 * stay as they are.
 */
import express, { type Request, type Response, Router } from 'express';
import { type OperaSimContext, reply } from '../context';
import type { SimProfileRecord } from '../model';
import { profile } from '../views';
import { badRequest, list, notFound } from './common';

function getProfile(ctx: OperaSimContext, req: Request, res: Response): void {
  const p = ctx.store.profiles.get(String(req.params.profileId));
  if (!p) return reply(ctx, req, res, 204);
  const fetch = list(req.query.fetchInstructions) ?? [];
  reply(ctx, req, res, 200, profile(p, { communication: fetch.includes('Communication'), preferences: fetch.includes('Preference') }));
}

interface ProfileBody {
  profileIdList?: Array<{ id?: unknown; type?: unknown }>;
  profileDetails?: {
    customer?: { personName?: Array<{ givenName?: unknown; surname?: unknown; nameType?: unknown }>; language?: unknown };
    telephones?: { telephoneInfo?: Array<{ id?: unknown; telephone?: { phoneNumber?: unknown } }> };
    emails?: { emailInfo?: Array<{ id?: unknown; email?: { emailAddress?: unknown } }> };
    preferenceCollection?: { preferenceType?: Array<{ preferenceType?: unknown; preference?: Array<{ preferenceCode?: unknown; description?: unknown }> }> };
    privacyInfo?: { optInSms?: unknown };
  };
}

/** Applies a `putProfile` body; a message when it cannot be applied (nothing is changed then). */
function applyProfile(ctx: OperaSimContext, p: SimProfileRecord, details: NonNullable<ProfileBody['profileDetails']>): string | undefined {
  const name = details.customer?.personName?.find((n) => n.nameType === 'Primary' || n.nameType === undefined);
  const phone = details.telephones?.telephoneInfo?.[0];
  const email = details.emails?.emailInfo?.[0];
  if (name && name.surname !== undefined && (typeof name.surname !== 'string' || name.surname.trim() === '')) return 'the primary name needs a surname';
  if (phone && phone.id !== undefined && phone.id !== p.phoneId) return `telephone ${String(phone.id)} is not on profile ${p.id}`;
  if (email && email.id !== undefined && email.id !== p.emailId) return `email ${String(email.id)} is not on profile ${p.id}`;
  if (phone && typeof phone.telephone?.phoneNumber !== 'string') return 'a telephone needs phoneNumber';
  if (email && typeof email.email?.emailAddress !== 'string') return 'an email needs emailAddress';
  const prefs = (details.preferenceCollection?.preferenceType ?? []).flatMap((g) => (g.preference ?? []).map((x) => ({ type: g.preferenceType, code: x.preferenceCode, description: x.description })));
  if (prefs.some((x) => typeof x.type !== 'string' || typeof x.code !== 'string')) return 'a preference needs its preferenceType and preferenceCode';

  if (name?.givenName !== undefined) p.givenName = typeof name.givenName === 'string' ? name.givenName : null;
  if (typeof name?.surname === 'string') p.surname = name.surname;
  if (typeof details.customer?.language === 'string') p.language = details.customer.language;
  if (phone) {
    p.phone = phone.telephone!.phoneNumber as string;
    p.phoneId ??= ctx.store.entryId();
  }
  if (email) {
    p.email = email.email!.emailAddress as string;
    p.emailId ??= ctx.store.entryId();
  }
  for (const x of prefs) {
    if (!p.preferences.some((y) => y.type === x.type && y.code === x.code)) p.preferences.push({ type: x.type as string, code: x.code as string, description: typeof x.description === 'string' ? x.description : (x.code as string) });
  }
  if (typeof details.privacyInfo?.optInSms === 'boolean') p.optInSms = details.privacyInfo.optInSms;
  ctx.store.touchProfile(p);
  return undefined;
}

function putProfile(ctx: OperaSimContext, req: Request, res: Response): void {
  const id = String(req.params.profileId);
  const p = ctx.store.profiles.get(id);
  if (!p) return notFound(ctx, req, res, `profile ${id} does not exist`);
  const body = (req.body ?? {}) as ProfileBody;
  if (!body.profileIdList?.some((x) => x.id === id)) return badRequest(ctx, req, res, 'profileIdList does not name the profile of the path');
  const problem = applyProfile(ctx, p, body.profileDetails ?? {});
  if (problem !== undefined) return badRequest(ctx, req, res, problem);
  reply(ctx, req, res, 200, profile(p, { communication: true, preferences: true }), { location: `/crm/v1/profiles/${id}` });
}

function deletePreference(ctx: OperaSimContext, req: Request, res: Response): void {
  const { profileId, hotelId, preferenceType, preferenceCode } = req.params as Record<string, string>;
  if (hotelId !== res.locals.hotelId) return reply(ctx, req, res, 403);
  const p = ctx.store.profiles.get(profileId!);
  if (!p) return notFound(ctx, req, res, `profile ${profileId} does not exist`);
  const at = p.preferences.findIndex((x) => x.type === preferenceType && x.code === preferenceCode);
  if (at < 0) return notFound(ctx, req, res, `profile ${profileId} has no preference ${preferenceType}:${preferenceCode}`);
  p.preferences.splice(at, 1);
  ctx.store.touchProfile(p);
  reply(ctx, req, res, 200, {});
}

export function crmRouter(ctx: OperaSimContext): Router {
  const router = Router();
  router.get('/profiles/:profileId', (req, res) => getProfile(ctx, req, res));
  router.put('/profiles/:profileId', express.json({ limit: '1mb' }), (req, res) => putProfile(ctx, req, res));
  router.delete('/profiles/:profileId/hotels/:hotelId/preferenceType/:preferenceType/preferences/:preferenceCode', (req, res) => deletePreference(ctx, req, res));
  return router;
}
