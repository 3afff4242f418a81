// Work proof v2 (protocol B): one implementation for the prover (SDK, browser) and the verifier (service).
export { DEFAULT_PROOF_LIMITS, type BoundedSetting, type ProofLimits } from './limits.js';
export { challengeSeed, deriveChallenges, deriveFromHash, FS_DOMAIN, SEED_DOMAIN, type ChallengeSeedInput } from './derivation.js';
export {
  REASONS,
  type AssuranceV2,
  type ProofMode,
  type ParsedProofV2,
  type ProofV2,
  type ProofV2Reason,
  type ReceiptFieldsV2,
  type SpotCheck,
  type VerifyResultV2,
} from './types.js';
export { mustParseProofV2, parseProofV2, type ParseProofV2Result } from './parse.js';
export { verifyProofV2, type AnchorSource, type VerifyContext } from './verify.js';
export { assuranceOf, buildProofV2, type BuildProofV2Params } from './build.js';
