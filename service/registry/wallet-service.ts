// Linking a wallet to an agent (operator model, Solana keys): the agent asks for a challenge, the
// wallet signs `beats-wallet-link:v1:<agent_hash>:<wallet>:<challenge>` (UTF-8) with Ed25519, and the
// registry checks the signature and uses the challenge once. A sponsoring parent must have one
// (seed 003 "Requirements"), and a heartbeat payer equal to it pays for the agent itself.
import { randomBytes } from 'node:crypto';
import { decodeBase58 } from '../../shared/base58.js';
import { decodeBase64, utf8Encode } from '../../shared/base64.js';
import { ed25519Verify } from '../../shared/ed25519.js';
import { AppError } from '../errors.js';
import { AgentRepository, type AgentRecord } from '../store/agent-repository.js';
import type { Database } from '../store/database.js';
import { WalletRepository } from '../store/wallet-repository.js';

/** How long a challenge may be answered. */
export const WALLET_CHALLENGE_TTL_MS = 5 * 60_000;

/** Domain prefix of the signed message. */
export const WALLET_LINK_PREFIX = 'beats-wallet-link:v1';

/** The chain a linked wallet is reported on (seed 002 `wallet_chain`): Ed25519 keys are Solana addresses. */
export const WALLET_CHAIN = 'solana';
/** The model a linked wallet is reported with (seed 002 `wallet_model`): the agent's operator holds the key. */
export const WALLET_MODEL = 'operator';

/** The message a wallet signs to be linked to `agentHash`. */
export function walletLinkMessage(agentHash: string, wallet: string, challenge: string): string {
  return `${WALLET_LINK_PREFIX}:${agentHash}:${wallet}:${challenge}`;
}

/** The `reason` of a refused link (400 VALIDATION). */
export type WalletLinkRefusal = 'challenge_unknown' | 'challenge_expired' | 'challenge_used' | 'bad_signature';

/** The answer to a challenge request. */
export interface WalletChallenge {
  ok: true;
  challenge: string;
  /** ISO-8601. */
  expires_at: string;
}

/** The answer to a link. */
export interface WalletLinked {
  ok: true;
  agent_hash: string;
  wallet: string;
  wallet_chain: typeof WALLET_CHAIN;
  wallet_model: typeof WALLET_MODEL;
  /** ISO-8601. */
  linked_at: string;
}

/** What a link request carries. */
export interface WalletLinkInput {
  /** Base58 Ed25519 public key (32 bytes). */
  wallet: string;
  /** Base64 Ed25519 signature of `walletLinkMessage`. */
  signature: string;
  /** The challenge answered; the agent's newest one when omitted. */
  challenge?: string;
}

function refused(reason: WalletLinkRefusal): AppError {
  const field = reason === 'bad_signature' ? 'signature' : 'challenge';
  return new AppError('VALIDATION', `${field}: ${reason}`, { field, reason });
}

/** Challenges and links wallets. */
export class WalletService {
  private readonly wallets: WalletRepository;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.wallets = new WalletRepository(db);
  }

  /** A new random challenge (32 CSPRNG bytes, hex) for `agent`, valid for 5 minutes; spent ones are dropped. */
  async challenge(agent: AgentRecord): Promise<WalletChallenge> {
    const now = this.now();
    const challenge = randomBytes(32).toString('hex');
    const expiresAt = now + WALLET_CHALLENGE_TTL_MS;
    await this.wallets.deleteSpent(agent.hash, now);
    await this.wallets.insertChallenge({ challenge, agent_hash: agent.hash, issued_at: now, expires_at: expiresAt });
    return { ok: true, challenge, expires_at: new Date(expiresAt).toISOString() };
  }

  /**
   * Links `input.wallet` to `agent` (replacing any earlier one) when its signature of the link message
   * verifies — never for a small-order key — and the challenge is `agent`'s, unexpired and unused; the
   * challenge is used in the transaction that links.
   */
  async link(agent: AgentRecord, input: WalletLinkInput): Promise<WalletLinked> {
    const now = this.now();
    const row = input.challenge === undefined ? await this.wallets.latest(agent.hash) : await this.wallets.get(agent.hash, input.challenge);
    if (!row) throw refused('challenge_unknown');
    if (row.used_at !== null) throw refused('challenge_used');
    if (row.expires_at <= now) throw refused('challenge_expired');
    let valid = false;
    try {
      valid = ed25519Verify(
        utf8Encode(walletLinkMessage(agent.hash, input.wallet, row.challenge)),
        decodeBase64(input.signature),
        decodeBase58(input.wallet),
      );
    } catch {
      valid = false;
    }
    if (!valid) throw refused('bad_signature');
    await this.db.transaction(async (tx) => {
      if (!(await new WalletRepository(tx).consume(agent.hash, row.challenge, now))) {
        const again = await new WalletRepository(tx).get(agent.hash, row.challenge);
        throw refused(again && again.used_at !== null ? 'challenge_used' : 'challenge_expired');
      }
      await new AgentRepository(tx).setWallet(agent.hash, input.wallet, now);
    });
    return {
      ok: true, agent_hash: agent.hash, wallet: input.wallet, wallet_chain: WALLET_CHAIN, wallet_model: WALLET_MODEL,
      linked_at: new Date(now).toISOString(),
    };
  }
}
