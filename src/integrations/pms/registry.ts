import { clockVendor } from './clock';
import { cloudbedsVendor } from './cloudbeds';
import { mewsVendor } from './mews';
import { operaCloudVendor } from './opera-cloud';
import { protelVendor } from './protel';
import type { AnyPmsVendor } from './vendor';

/**
 * Every PMS vendor Relay speaks. Adding one is a folder beside this file and one line here
 * (README "Adding a PMS"); the PMS core, its API and the contract suite iterate this list.
 */
export const PMS_VENDORS: readonly AnyPmsVendor[] = [
  mewsVendor,
  operaCloudVendor,
  clockVendor,
  protelVendor,
  cloudbedsVendor,
];

export function pmsVendor(key: string): AnyPmsVendor | undefined {
  return PMS_VENDORS.find((v) => v.key === key);
}
