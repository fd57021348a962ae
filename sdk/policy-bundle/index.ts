/** Signed policy bundles (seed-defender §6): the format, its signature and its checks. */
export { BUNDLE_FIELDS, checkBundleThresholds, readBundle, verifyBundleText, type PolicyOverrides, type VerifiedBundle } from "./bundle.ts";
export { canonicalJson, signedPayload } from "./canonical.ts";
export { signBundle, verifyBundleSignature } from "./signature.ts";
