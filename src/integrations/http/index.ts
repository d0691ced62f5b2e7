export { basicAuth, bearerAuth } from './auth';
export {
  type Classification,
  type Classifier,
  defaultClassify,
  type FailureSpec,
  isOutcomeUnknown,
  isSafeMethod,
  type VendorAnswer,
  type VendorFailureDetails,
  vendorFailure,
} from './classify';
export {
  ADDRESS_REFUSED,
  type AddressRefusedError,
  addressRefused,
  checkedLookup,
  type EgressPolicy,
  guardedAgent,
  internalAddressKind,
  isMetadataAddress,
  refusedAddressReason,
  type Resolver,
} from './egress-guard';
export { redactHeaders, redactUrl } from './redact';
export { firstDelay, resetHeaderDelay, type RetryDelayParser, retryAfterDelay } from './retry-after';
export {
  type HttpMethod,
  type ParamValue,
  VendorHttpClient,
  type VendorHttpClientOptions,
  type VendorRequest,
  type VendorResponse,
} from './vendor-http-client';
