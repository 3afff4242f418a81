// Structural validation of a v2 `work_proof` object (protocol B5: malformed input answers 400 with `field`).
// Two stages: a zod schema for types, formats and per-field ranges, then the rules that tie fields together
// (mode fields, counts, the work cap). Every array is bounded before its elements are read, so a huge array
// is refused in constant time.
import * as z from 'zod';
import type { ProofLimits } from './limits.js';
import type { ParsedProofV2, ProofV2, SpotCheck } from './types.js';

/** The parsed proof (with k and challenge_work filled in for mode sampled), or the first offending field. */
export type ParseProofV2Result = { ok: true; proof: ParsedProofV2 } | { ok: false; field: string; message: string };

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks `input` against the v2 wire format and `limits`. `field` is a dotted path such as
 * `spot_checks.3.hash_path.2` ('' for the proof itself). The work cap (distinct checks × (d+1) sampled,
 * N × (d+1) full, at most limits.maxVerifyIterations) is reported on `difficulty` in mode sampled and on
 * `beats_computed` in mode full. A difficulty below limits.minDifficulty passes: it is the logic failure
 * `insufficient_difficulty`.
 */
export function parseProofV2(input: unknown, limits: ProofLimits): ParseProofV2Result {
  const parsed = schemaFor(limits).safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]);
    return fail(path.join('.'), issue.message);
  }
  return checkRelations(parsed.data as ProofV2, limits);
}

function checkRelations(p: ProofV2, limits: ProofLimits): ParseProofV2Result {
  const n = p.beats_computed;
  const perBeat = Math.max(p.difficulty, 0) + 1;
  if (p.mode === 'sampled') {
    if (p.beats !== undefined) return fail('beats', 'not allowed in mode sampled');
    if (p.merkle_root === undefined) return fail('merkle_root', 'required in mode sampled');
    if (p.spot_checks === undefined) return fail('spot_checks', 'required in mode sampled');
    if (n > limits.maxBeats.sampled) return fail('beats_computed', `expected at most ${limits.maxBeats.sampled} in mode sampled`);
    const k = p.k ?? limits.k.default;
    const challengeWork = p.challenge_work ?? limits.challengeWork.default;
    // Protocol B3: exactly [1, N, i_0, …, i_{k−1}].
    if (p.spot_checks.length !== k + 2) return fail('spot_checks', `expected exactly k + 2 = ${k + 2} entries`);
    const distinct = new Set<number>();
    for (const [j, check] of p.spot_checks.entries()) {
      if (check.index > n) return fail(`spot_checks.${j}.index`, `expected an integer in [1, ${n}]`);
      distinct.add(check.index);
    }
    if (distinct.size * perBeat > limits.maxVerifyIterations) {
      return fail('difficulty', `work cap: ${distinct.size} checks × (d + 1) exceeds ${limits.maxVerifyIterations}`);
    }
    return parsedAs({ ...p, k, challenge_work: challengeWork });
  }
  for (const field of ['k', 'challenge_work', 'merkle_root', 'spot_checks'] as const) {
    if (p[field] !== undefined) return fail(field, 'not allowed in mode full');
  }
  if (p.beats === undefined) return fail('beats', 'required in mode full');
  if (n > limits.maxBeats.full) return fail('beats_computed', `expected at most ${limits.maxBeats.full} in mode full`);
  if (p.beats.length !== n) return fail('beats', `expected exactly beats_computed = ${n} entries`);
  if (n * perBeat > limits.maxVerifyIterations) {
    return fail('beats_computed', `work cap: N × (d + 1) exceeds ${limits.maxVerifyIterations}`);
  }
  return parsedAs(p);
}

/** The proof of `input`, or a TypeError naming the first offending field (for callers that built the proof themselves). */
export function mustParseProofV2(input: unknown, limits: ProofLimits): ParsedProofV2 {
  const parsed = parseProofV2(input, limits);
  if (!parsed.ok) throw new TypeError(`"proof.${parsed.field}" ${parsed.message}`);
  return parsed.proof;
}

function parsedAs(proof: ProofV2): ParseProofV2Result {
  return { ok: true, proof: proof as ParsedProofV2 };
}

function fail(field: string, message: string): ParseProofV2Result {
  return { ok: false, field, message };
}

const schemas = new WeakMap<ProofLimits, z.ZodType>();

function schemaFor(limits: ProofLimits): z.ZodType {
  let schema = schemas.get(limits);
  if (!schema) schemas.set(limits, (schema = buildSchema(limits)));
  return schema;
}

function buildSchema(limits: ProofLimits): z.ZodType {
  const hex64 = z.string().regex(HEX64, 'expected 64 lowercase hex characters');
  const path = boundedArray(hex64, limits.maxPathLength);
  const spotCheck: z.ZodType<SpotCheck> = z.strictObject({
    index: z.int().min(1),
    prev: hex64,
    hash: hex64,
    prev_path: path,
    hash_path: path,
  });
  return z.strictObject({
    version: z.literal(2),
    mode: z.enum(['sampled', 'full']),
    subject: hex64,
    from_hash: hex64,
    to_hash: hex64,
    beats_computed: z.int().min(1).max(Math.max(limits.maxBeats.sampled, limits.maxBeats.full)),
    // No lower bound here: a low difficulty is the logic failure insufficient_difficulty (peer-protocol row 10).
    difficulty: z.int().max(limits.maxDifficulty),
    anchor_index: z.int().min(0),
    anchor_hash: hex64,
    k: z.int().min(limits.k.min).max(limits.k.max).optional(),
    challenge_work: z.int().min(limits.challengeWork.min).max(limits.challengeWork.max).optional(),
    merkle_root: hex64.optional(),
    spot_checks: boundedArray(spotCheck, limits.k.max + 2).optional(),
    beats: boundedArray(hex64, limits.maxBeats.full).optional(),
  });
}

/** An array of at most `max` elements whose length is checked before any element is parsed. */
function boundedArray<T>(element: z.ZodType<T>, max: number) {
  return z
    .custom<unknown>((value) => !Array.isArray(value) || value.length <= max, { message: `expected at most ${max} entries` })
    .pipe(z.array(element));
}
