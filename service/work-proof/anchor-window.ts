// The anchor checks every proof version shares: the head can be read (else refuse, never wave
// through), the proof's anchor is within the grace window of it, and its hash is the stored one.

/** Where the verifier reads anchors from. */
export interface AnchorLookup {
  /** Index of the newest anchor; throws when the store cannot be read or holds none. */
  headIndex(): Promise<number>;
  /** Hash of the anchor at `index`, or null when there is none. */
  hashAt(index: number): Promise<string | null>;
}

/** null when the anchor is acceptable, else the reason code. */
export async function checkAnchor(
  anchors: AnchorLookup, anchorIndex: number, anchorHash: string, graceWindow: number,
): Promise<'anchor_unavailable' | 'stale_anchor' | 'anchor_mismatch' | null> {
  let head: number;
  try {
    head = await anchors.headIndex();
  } catch {
    return 'anchor_unavailable';
  }
  if (anchorIndex > head || head - anchorIndex > graceWindow) return 'stale_anchor';
  let stored: string | null;
  try {
    stored = await anchors.hashAt(anchorIndex);
  } catch {
    return 'anchor_unavailable';
  }
  return stored === anchorHash ? null : 'anchor_mismatch';
}
