/**
 * Cloudbeds takes writes as `application/x-www-form-urlencoded` (never JSON), with lists and
 * objects in PHP's bracket notation: `items[0][itemName]=Minibar&items[0][itemPrice]=12.50`.
 * This flattens a nested value into those fields, in order; absent values are left out.
 */
import type { ParamValue } from '../../http';

export type FormValue = string | number | boolean | undefined | FormValue[] | { [key: string]: FormValue };

export function phpForm(fields: Record<string, FormValue>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  const put = (name: string, value: FormValue): void => {
    if (value === undefined) return;
    if (Array.isArray(value)) value.forEach((item, i) => put(`${name}[${i}]`, item));
    else if (typeof value === 'object') for (const [key, item] of Object.entries(value)) put(`${name}[${key}]`, item);
    else out[name] = typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
  };
  for (const [name, value] of Object.entries(fields)) put(name, value);
  return out;
}
