"""The end-to-end story `make demo` tells, on a private local chain. Also run by tests/test_demo.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from deai.deploy.run import DeployRequest, deploy_suite
from deai.provenance import ZERO_HASH, Kind, Origin, commitment, sha256_bytes, sign_reveal


@dataclass
class StoryStep:
    actor: str
    action: str
    gas: int


class Story:
    def __init__(self, accounts: Any, log: Callable[[str], None]):
        from ape import chain

        self.chain = chain
        self.accounts = accounts
        self.log = log
        self.steps: list[StoryStep] = []
        self.receipts: dict[str, Any] = {}  # by action, for checking the story against the chain

    def record(self, actor: str, action: str, receipt: Any) -> Any:
        gas = int(receipt.gas_used) if receipt is not None else 0
        self.steps.append(StoryStep(actor, action, gas))
        self.receipts[action] = receipt
        self.log(f"  {actor:<9} {action}  [{gas:,} gas]")
        return receipt

    def run(self) -> list[StoryStep]:
        deployer, curator, modeler, artist, copier, relayer, verifier = (self.accounts[i] for i in range(7))
        executor, outcomes = deploy_suite(DeployRequest("local", None), deployer, log=lambda _: None)
        for outcome in outcomes:
            action = f"deploy {outcome.key}" if outcome.address else f"wire {outcome.key}"
            self.steps.append(StoryStep("deployer", action, outcome.gas))
            where = f" at {outcome.address}" if outcome.address else ""
            self.log(f"  {'deployer':<9} {action}{where}  [{outcome.gas:,} gas]")
        registry = executor.instances["ProvenanceRegistry"]
        self.contracts = executor.instances
        self.epoch_start = int(executor.manifest.contracts["ComputeRewards"]["deployTime"])  # epochs from deployment
        model = self.provenance(registry, curator, modeler, artist, copier, relayer, verifier)
        gpu_owner, developer = self.accounts[7], self.accounts[8]
        lease_id = self.marketplace(executor.instances, registry, model, provider=gpu_owner, client=developer)
        self.compute_rewards(executor.instances, lease_id, provider=gpu_owner, client=developer,
                             self_dealer=self.accounts[9], sock_puppet=self.accounts[10])
        self.emission(executor.instances, deployer, staker=curator, contributor=modeler)
        return self.steps

    def marketplace(self, contracts, registry, model: bytes, provider, client) -> int:
        from deai.deploy.marketplace import registry_of
        from deai.deploy.marketplace import relay_of
        from deai.market import close_lease, open_lease, sign_result_registration, withdraw_earnings

        market, usd = contracts["ComputeMarketplace"], contracts["MarketStakeToken"]
        providers = registry_of(market)
        usd_units = 10**6
        price = 50  # 0.00005 mUSD a second = 0.18 mUSD an hour
        self.log("\nCompute marketplace: a GPU owner rents an H100 to an AI developer, paid per second")
        self.record("provider", "register as a provider", providers.registerProvider("ipfs://rig/h100-eu", sender=provider))
        usd.mint(provider, 1_000 * usd_units, sender=provider)
        usd.approve(providers, 1_000 * usd_units, sender=provider)
        self.record("provider", "stake 1,000 mUSD of collateral", providers.depositStake(1_000 * usd_units,
                                                                                        sender=provider))
        self.record("provider", "offer an H100 fine-tuning the model at 0.18 mUSD/hour, 1 hour to 30 days",
                    market.createOffer(usd, price, 3_600, 30 * 86_400, model, "ipfs://offer/h100", sender=provider))
        usd.mint(client, 100 * usd_units, sender=client)
        lease_id, receipt = open_lease(market, 1, 24 * 3_600, client)
        self.record("client", "lease it for 24 hours: 4.32 mUSD escrowed", receipt)
        accepted = self.record("provider", "accept: 30% collateral locked, the clock starts",
                               market.acceptLease(lease_id, sender=provider))
        start = self.chain.blocks[accepted.block_number].timestamp
        self.chain.pending_timestamp = start + 6 * 3_600
        result = sha256_bytes(b"fine-tuned weights, epoch 3")
        deadline = start + 7 * 3_600
        signature = sign_result_registration(provider.private_key, market, provider.address, result, Kind.MODEL,
                                             ZERO_HASH, deadline, model)
        submitted = self.record(
            "provider", "6 hours later: submit the result's SHA-256 and register the result in the provenance "
            "registry (creator: itself, origin AI, parent: the model) in one transaction",
            relay_of(market).submitResultWithProvenance(lease_id, result, Kind.MODEL, ZERO_HASH, deadline, signature,
                                                        sender=provider))
        [linked] = submitted.decode_logs(relay_of(market).ResultRegistered)
        record = registry.getRecord(result)
        assert (record.creator, record.registeredAt, linked.leaseId) == (provider.address, linked.registeredAt, lease_id)
        self.record("provider", "withdraw what 5 hours earned (the last hour is held back for disputes), less the fee",
                    withdraw_earnings(market, lease_id, provider))
        self.chain.pending_timestamp = start + 6 * 3_600 + 60
        before = usd.balanceOf(client)
        self.record("client", "close the lease: the unused 18 hours are refunded",
                    close_lease(market, lease_id, client))
        lease = market.getLease(lease_id)
        ran = lease.deposit - lease.refunded  # the original deposit less what the close refunded
        self.log(f"  provider earned {ran / usd_units:.6f} mUSD for {lease.stoppedAt - lease.start:,} s, "
                 f"client refunded {(usd.balanceOf(client) - before) / usd_units:.6f} mUSD, "
                 f"fee {market.accruedFees(usd) / usd_units:.6f} mUSD; result {result.hex()[:16]}... has parent "
                 f"{registry.parentsOf(result)[0].hex()[:16]}... (the model), creator the provider, linked to lease "
                 f"{lease_id} by ResultRegistered")
        return lease_id

    def compute_rewards(self, contracts, lease_id: int, provider, client, self_dealer, sock_puppet) -> None:
        """The lease is finalized and its provider claims the epoch's Compute emission; a provider leasing to
        itself through a second address in the same epoch earns less than the fees it paid (the rebate cap)."""
        from deai.deploy.marketplace import registry_of
        from deai.market import open_lease

        market, usd, token = contracts["ComputeMarketplace"], contracts["MarketStakeToken"], contracts["EmissionToken"]
        rewards, registry = contracts["ComputeRewards"], registry_of(contracts["ComputeMarketplace"])
        self.log("\nCompute rewards: finalized work shares its epoch's Compute emission, capped at rebateCap x fees paid")
        closed = self.chain.blocks.head.timestamp
        self.chain.pending_timestamp = closed + 60
        finalized = self.record("client", "finalize the closed lease (no dispute): the registry reports its value",
                                market.finalize(lease_id, sender=client))
        epoch = rewards.currentEpoch()
        # The self-dealer: a second provider rents its own GPU through another address for an hour, same epoch.
        usd_units = 10**6
        self.record("self-dealer", "register, stake 1,000 mUSD and offer a GPU at 100 mUSD/hour",
                    registry.registerProvider("ipfs://rig/wash", sender=self_dealer))
        usd.mint(self_dealer, 1_000 * usd_units, sender=self_dealer)
        usd.approve(registry, 1_000 * usd_units, sender=self_dealer)
        registry.depositStake(1_000 * usd_units, sender=self_dealer)
        created = market.createOffer(usd, 100 * usd_units // 3_600, 3_600, 86_400, sha256_bytes(b"wash GPU"),
                                     "ipfs://offer/wash", sender=self_dealer)
        offer_id = next(log.offerId for log in created.events if log.event_name == "OfferCreated")
        usd.mint(sock_puppet, 1_000 * usd_units, sender=sock_puppet)
        at = self.chain.blocks[finalized.block_number].timestamp
        self.chain.pending_timestamp = at + 60
        wash_id, receipt = open_lease(market, offer_id, 3_600, sock_puppet)
        self.record("sock puppet", "lease the self-dealer's GPU for an hour (its own money, another address)", receipt)
        accepted = market.acceptLease(wash_id, sender=self_dealer)
        wash_start = self.chain.blocks[accepted.block_number].timestamp
        self.chain.pending_timestamp = wash_start + 3_600
        self.record("sock puppet", "finalize at the end: the wash lease's value is reported too",
                    market.finalize(wash_id, sender=sock_puppet))
        assert rewards.currentEpoch() == epoch, "the demo's leases must finalize in one epoch"
        epoch_end = rewards.epochStart() + (epoch + 1) * rewards.epochLength()
        self.chain.pending_timestamp = epoch_end + 1
        honest = self.record("provider", f"claim epoch {epoch}'s Compute emission (first claim: the epoch is checkpointed)",
                             rewards.claim(epoch, sender=provider))
        wash = self.record("self-dealer", f"claim epoch {epoch}'s Compute emission for the wash lease",
                           rewards.claim(epoch, sender=self_dealer))
        info = rewards.epochInfo(epoch)
        leases = {who: market.getLease(i) for who, i in (("provider", lease_id), ("self-dealer", wash_id))}
        fees = {who: (lease.deposit - lease.refunded) * lease.feeBps // 10_000 for who, lease in leases.items()}
        for who, account in (("provider", provider), ("self-dealer", self_dealer)):
            reward = token.balanceOf(account)
            self.log(f"  {who} reward {reward} DEAI wei for fee {fees[who]} mUSD units in epoch {epoch} "
                     f"(emission {info.emission} wei, total value {info.totalValue}, cap {info.rebateCap})")
        wash_fee, wash_reward = fees["self-dealer"], token.balanceOf(self_dealer)
        self.log(f"  self-dealer paid {wash_fee / usd_units:.6f} mUSD in fees and earned {wash_reward / 1e18:.18f} "
                 f"DEAI: it loses money unless DEAI trades above {wash_fee / usd_units / (wash_reward / 1e18):,.0f} "
                 "mUSD; the rest of its share went to the protection fund")

    def emission(self, contracts, deployer, staker, contributor) -> None:
        from deai.deploy.emission import BUCKET_NAMES

        splitter, token = contracts["EmissionSplitter"], contracts["EmissionToken"]
        capital, code, lp = contracts["RewardPoolCapital"], contracts["RewardPoolCode"], contracts["EmissionLPToken"]
        self.log("\nEmission: 14,400 a day falling to zero over 5,833 days, split 24/24/24/24/4")
        lp.mint(staker, 10**21, sender=staker)
        lp.approve(capital, 10**21, sender=staker)
        self.record("staker", "stake 1,000 LP in the Capital pool", capital.stake(10**21, sender=staker))
        self.record("manager", "give a contributor weight in the Code pool",
                    code.setWeights([contributor], [1], sender=deployer))
        self.chain.pending_timestamp = self.chain.pending_timestamp + 30 * 86_400
        self.record("anyone", "claimAll after 30 days: each bucket minted to its recipient",
                    splitter.claimAll(sender=deployer))
        emitted = splitter.totalEmitted()
        claimed = [splitter.claimed(b) for b in range(5)]
        for name, amount in zip(BUCKET_NAMES, claimed):
            self.log(f"  {name:<10} {amount / 1e18:>14,.6f}  ({amount / emitted:.4%} of {emitted / 1e18:,.6f})")
        assert sum(claimed) + sum(splitter.claimable(b) for b in range(5)) == emitted
        self.record("staker", "claim Capital pool rewards", capital.claimReward(sender=staker))
        self.record("contributor", "claim Code pool rewards", code.claimReward(sender=contributor))
        self.log(f"  staker received {token.balanceOf(staker) / 1e18:,.6f}, contributor {token.balanceOf(contributor) / 1e18:,.6f}")

    def provenance(self, registry, curator, modeler, artist, copier, relayer, verifier) -> bytes:
        """The provenance chapter; returns the model's hash (the parent of the marketplace job's result)."""
        from eth_account import Account

        self.log("\nProvenance: a dataset, a model trained on it, and an image generated by the model")
        dataset = sha256_bytes(b"demo dataset: 10k captioned photos")
        model = sha256_bytes(b"demo model weights v1")
        image = sha256_bytes(b"demo image generated from 'a lighthouse at dawn'")
        self.record("curator", "register dataset (human-made)",
                    registry.register(dataset, Kind.DATASET, Origin.HUMAN, ZERO_HASH, [], sender=curator))
        self.record("modeler", "register model, parent: dataset",
                    registry.register(model, Kind.MODEL, Origin.HUMAN, ZERO_HASH, [dataset], sender=modeler))
        salt = sha256_bytes(b"artist's secret salt")
        receipt = self.record("artist", "commit to the image hash (front-running protection)",
                              registry.commit(commitment(image, artist.address, salt), sender=artist))
        committed_at = self.chain.blocks[receipt.block_number].timestamp
        self.chain.pending_timestamp = committed_at + 10
        self.record("copier", "copies the hash from the mempool and registers it first",
                    registry.register(image, Kind.CONTENT, Origin.HUMAN, ZERO_HASH, [], sender=copier))
        self.chain.pending_timestamp = committed_at + registry.minCommitAge()
        self.record("artist", "reveal: AI-generated, parent: model -> takes the record over",
                    registry.reveal(image, Kind.CONTENT, Origin.AI_GENERATED, ZERO_HASH, [model], salt, sender=artist))
        record = registry.getRecord(image)
        assert record.creator == artist.address and record.registeredAt == committed_at
        self.record("verifier", "endorse the image: 'generated-by-model'",
                    registry.endorse(image, record.creator, record.registeredAt, sha256_bytes(b"generated-by-model"),
                                     sender=verifier))
        gasless = Account.create("demo gasless creator")
        prompt = sha256_bytes(b"a lighthouse at dawn")
        prompt_salt = sha256_bytes(b"gasless creator's secret salt")
        self.record("relayer", "send a gasless creator's commitment (the prompt itself stays secret)",
                    registry.commit(commitment(prompt, gasless.address, prompt_salt), sender=relayer))
        # The creator signs only once its commitment is on chain: the signature names the commit time.
        prompt_committed_at = registry.commitTime(commitment(prompt, gasless.address, prompt_salt))
        self.chain.pending_timestamp = prompt_committed_at + registry.minCommitAge()
        signature = sign_reveal(
            gasless.key, registry.address, self.chain.chain_id, gasless.address, prompt, Kind.PROMPT, Origin.HUMAN,
            ZERO_HASH, [], prompt_salt, prompt_committed_at,
        )
        self.record("relayer", "relay the creator's signed reveal: the record is the creator's, never the relayer's",
                    registry.revealBySig(gasless.address, prompt, Kind.PROMPT, Origin.HUMAN, ZERO_HASH, [],
                                         prompt_salt, prompt_committed_at, signature, sender=relayer))
        assert registry.getRecord(prompt).creator == gasless.address
        self.log(f"  image record: creator {record.creator} (the artist), first seen {committed_at}, "
                 f"parents {[p.hex()[:10] for p in registry.parentsOf(image)]}")
        return model
