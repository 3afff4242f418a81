// The registry's composition: agents, beat chains, status, admin, receipt acceptance, the dead man's
// switch, spawn, wallets and sponsorships over one store and the service's anchor chain. openServices
// opens it; createApp mounts its routes.
import type { AnchorReader } from '../anchors/anchor-reader.js';
import type { Config } from '../config.js';
import type { Keyring } from '../keys/keyring.js';
import type { Logger } from '../logger.js';
import type { Database } from '../store/database.js';
import { AgentService } from './agent-service.js';
import { BeatChainService } from './beat-chain-service.js';
import { DeadMansSwitch } from './dead-mans-switch.js';
import { ReceiptAcceptance, keyringReceiptKeys, pinnedReceiptKeys } from './receipt-acceptance.js';
import { registryAnchors, type RegistryAnchors } from './registry-anchors.js';
import { RegistryAdmin } from './registry-admin.js';
import { SpawnService } from './spawn-service.js';
import { SpawnTokens } from './spawn-token.js';
import { SponsorshipService } from './sponsorship-service.js';
import { StatusService } from './status-service.js';
import { WalletService } from './wallet-service.js';

/** Everything the registry routes call. */
export interface Registry {
  anchors: RegistryAnchors;
  agents: AgentService;
  chains: BeatChainService;
  status: StatusService;
  admin: RegistryAdmin;
  receipts: ReceiptAcceptance;
  deadMansSwitch: DeadMansSwitch;
  spawn: SpawnService;
  wallets: WalletService;
  sponsorships: SponsorshipService;
  /** Waits for the sweep in flight. */
  close(): Promise<void>;
}

/** What openRegistry needs. */
export interface RegistryDeps {
  db: Database;
  config: Config;
  reader: AnchorReader;
  keyring: Keyring;
  logger: Logger;
  /** The key of spawn authorization tokens: HKDF of the root seed (see spawn-token.ts). */
  spawnAuthorizationKey: Uint8Array;
  /** Clock in epoch ms (tests share it with the anchor clock). */
  now?: () => number;
}

/**
 * Opens the registry. Receipts are checked with the in-process keyring's work-proof keys, or, when
 * BEATS_URL and BEATS_PUBLIC_KEY are set, with that one pinned key only.
 */
export function openRegistry(deps: RegistryDeps): Registry {
  const { db, config, reader, keyring, logger } = deps;
  const now = deps.now ?? Date.now;
  const anchors = registryAnchors(reader, db, config.anchorIntervalMs);
  const keys = config.beatsUrl !== undefined && config.beatsPublicKey !== undefined
    ? pinnedReceiptKeys(config.beatsPublicKey)
    : keyringReceiptKeys(keyring);
  const receipts = new ReceiptAcceptance({
    keys, anchors, requiredDifficulty: config.difficulty, windowAnchors: config.receiptWindowAnchors, acceptV1: config.acceptV1Receipts,
  });
  const deadMansSwitch = new DeadMansSwitch({ db, logger, now });
  const sponsorships = new SponsorshipService({ db, anchors, deadMansSwitch, now });
  // Seed 003 "Auto-revocation": a freeze of either party revokes the sponsorship (one UPDATE, in the freeze's transaction).
  deadMansSwitch.alsoWhenFreezing(async (tx, hashes) => {
    const revoked = await sponsorships.revokeForFrozen(tx, hashes);
    if (revoked > 0) logger.info({ revoked }, 'sponsorships revoked: a party was frozen');
  });
  return {
    anchors,
    agents: new AgentService(db, now),
    chains: new BeatChainService({
      db, anchors, deadMansSwitch, receipts, sponsorships, now,
      settings: { difficulty: config.difficulty, beatsRequired: config.beatsRequired, heartbeatPayment: config.heartbeatPayment },
    }),
    status: new StatusService({ db, anchors, now }),
    admin: new RegistryAdmin(db, now),
    receipts,
    deadMansSwitch,
    spawn: new SpawnService({ db, anchors, deadMansSwitch, receipts, tokens: new SpawnTokens(deps.spawnAuthorizationKey), now }),
    wallets: new WalletService(db, now),
    sponsorships,
    close: () => deadMansSwitch.idle(),
  };
}
