import type { Response } from 'express';
import type { ApiKey } from '../../../config';
import type { PropertyScope } from '../../../db/pms/properties';
import { principalOf } from '../../auth';

/**
 * The properties the caller's key may see and write: a hotel group's key is limited to its
 * hotels (RELAY_API_KEY_PROPERTIES); others answer 404 as if they did not exist, so ids do not
 * leak. Signed-in operators have their key's scope.
 */
export function scopeOf(keys: readonly ApiKey[], res: Response): PropertyScope {
  const name = principalOf(res).name;
  return keys.find((k) => k.name === name)?.properties;
}
