import { isPhoneNumberProblem, parsePhoneNumber, type PhoneRegion } from '../domain/phone-numbers';
import { z } from './openapi';

const DESCRIPTION = 'E.164 (+31612345678), or a national number of the default region (PHONE_DEFAULT_REGION, e.g. 06-12345678); stored as E.164';

/** A phone number field: validated by src/domain/phone-numbers.ts, parsed to E.164. */
export const phoneNumber = (region: PhoneRegion) =>
  z
    .string()
    .max(40)
    .transform((value, ctx) => {
      const parsed = parsePhoneNumber(value, region);
      if (!isPhoneNumberProblem(parsed)) return parsed.e164;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    })
    .openapi({ description: DESCRIPTION, example: '+33612345678' });

/** The problem with `value` as a phone number, or undefined: for fields that hold a number only on some channels. */
export function phoneNumberProblem(value: string, region: PhoneRegion): string | undefined {
  const parsed = parsePhoneNumber(value, region);
  return isPhoneNumberProblem(parsed) ? parsed.problem : undefined;
}
