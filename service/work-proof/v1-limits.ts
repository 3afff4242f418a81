// Limits of work proof v1, the peer's format (peer-protocol §3: "Caps"), kept so its clients work.

/** v1 limits: difficulty 100–5000, 3–25 spot checks, anchors within 5 of the head. */
export const V1_LIMITS = {
  minDifficulty: 100,
  maxDifficulty: 5000,
  minSpotChecks: 3,
  maxSpotChecks: 25,
  anchorGraceWindow: 5,
  maxNonceLength: 256,
} as const;
