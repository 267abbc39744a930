"""Stateful property test of the ComputeMarketplace against a ghost ledger kept by the test.

Two providers and two clients trade on offers in three payment tokens (a 6-decimal token that is also the stake
token, a 1% fee-on-transfer token and a USDC-style blocklisting token), with random time jumps and every action:
stake, unstake, offers, price changes, open, accept, cancel, top-up (by the client, and by a stranger who must be
refused, and by the client after the admin raised the fee or set the token's rate again: `TopUpTermsChanged`),
withdraw, close, results, disputes, a provider withdrawing or closing in the block just before the client's dispute,
rulings (by the arbiter of the dispute and by a newer one who must be refused), timeouts, finalize (by anyone after
the window, by the client from the end), credit withdrawals (to another address when blocked) and fee withdrawals,
and an admin who at any moment changes the fee, the collateral rate of a token, the arbiter (timelocked proposals that
expire), pauses, or recovers surplus; the blocklisting token blocks and unblocks clients and providers at any
moment. A "drain" takes every pending exit. Each action's outcome, success or the exact custom error, is predicted by the model first.
Invariants after every step:
1. conservation per token: the contract's balance equals everything it owes (open escrow, frozen and unwithdrawn
   earnings, credits, fees, stake) plus the surplus sent to it directly;
2. a provider has been paid at most price x delivered seconds, less exactly the fee; when a lease ends, the client
   has been refunded exactly the rest (less a bond the provider won);
3. a slash never exceeds that lease's locked collateral;
4. every non-terminal lease has an exit some party can take at a known, bounded time, and a terminal lease holds
   nothing (the drain rule takes those exits and checks they succeed); a party the token blocks still exits: a
   blocked client always disputes (its bond comes from refund, credit, pull, and what cannot be pulled is deferred),
   a blocked provider withdraws its earnings as credit, and every credit leaves to another address;
5. free + locked + pending stake equals what the provider deposited minus what it withdrew and was slashed, and the
   registry holds exactly that;
6. a dispute froze at least the earnings of the `holdback` seconds before it (or before the lease's end, when it
   came later in the window), whatever was withdrawn first, and the bond is `disputeBondBps` of the larger of what it
   froze and the value of the collateral it keeps locked, whether the client or the provider closed first or not;
   the lease is ruled on by the arbiter fixed at its acceptance;
7. for every token the marketplace tracks, its balance is at least what it owes (also right after surplus recovery);
8. a lease's collateral is `collateralBps` of everything it escrowed, valued at the rate snapshotted when it opened
   (rounded down per deposit), whatever the admin's rate changes since; a disputed lease (and a closed one once
   anyone released its excess) holds only the collateral of what it still holds, so a client who opens, tops up,
   closes and disputes in a row (the `grief` actor) locks only the collateral of what it paid for;
9. `getLease` keeps every lease's original terms (the deposit with every top-up, the end it pays for) beside the
   outcome: when a close or a dispute stopped it, what that stop (or a cancellation) refunded, and what the provider
   was paid.
Every wallet balance, credit, fee pot and provider record is also compared with the model, to the unit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import settings, strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from deai.deploy.marketplace import MarketplaceParams, deploy_marketplace, registry_of
from deai.testing.backends import on_both_backends
from deai.testing.chain_isolation import ChainStateMachine
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token
from market_model import ARBITER_DELAY, BPS, Status, arrives, collateral_at, paid_seconds, payout, streamed, withdrawable

PARAMS = MarketplaceParams(fee_bps=333, collateral_bps=2_500, accept_window=600, dispute_window=3_600,
                           arbitration_window=7_200, unstake_cooldown=3_600, holdback=1_200, dispute_bond_bps=700)
KINDS = ("standard6", "fee_on_transfer", "blocklist")  # token 0 is also the stake token; token 2 blocks accounts
BLOCKLIST = 2
ARBITER_TTL = 7 * 86_400
RATES = (10**18, 10**18 // 2, 2 * 10**18, 10**18 + 1)  # collateral rates the admin switches between
FUNDS = 10**30
INITIAL_STAKE = 10**12
MAX_UINT = 2**256 - 1
WAITS = st.sampled_from([1, 59, 599, 600, 601, 3_599, 3_600, 3_601, 7_200, 7_201, 86_400]) | st.integers(1, 20_000)


@dataclass
class Offer:
    provider: object
    token: int
    price: int
    min_duration: int
    max_duration: int
    active: bool = True


@dataclass
class Lease:
    id: int
    offer: int
    client: object
    provider: object
    token: int
    price: int
    fee_bps: int
    max_duration: int
    deposit: int  # what the lease holds: the original deposit until a stop, what had streamed by the stop after it
    paid_in: int
    opened: int
    original: int = 0  # the deposit with every top-up, never shrunk (getLease().deposit)
    stopped_at: int = 0  # when a close or a dispute stopped the running lease (getLease().stoppedAt)
    start: int = 0
    status: int = Status.OPEN
    withdrawn: int = 0
    collateral: int = 0
    frozen: int = 0
    disputed_at: int = 0
    refunded: int = 0  # to the client, paid or credited, including a dispute award
    fees: int = 0
    provider_net: int = 0
    slashed: int = 0
    result: bool = False
    rate: int = 10**18  # collateral rate snapshotted at open
    collateralised: int = 0  # what the collateral covers: the deposit at acceptance plus every top-up
    pieces: int = 0  # how many amounts were collateralised (each rounds down once)
    holdback_due: int = 0  # earnings of the holdback seconds before the dispute: the least it must freeze
    award: int = 0  # the client's part of the frozen earnings after a ruling or timeout
    arbiter: object = None  # who may rule, fixed when the lease was accepted
    bond: int = 0  # the client's dispute bond held: from its refund, then its credit, then pulled
    deferred: int = 0  # the part of the bond the token refused to pull (taken from the client's part if it loses)
    rate_id: int = 0  # the id of the token's collateral rate when the lease opened (the marketplace's `rateId`)
    bond_to_provider: int = 0  # the bond the provider won

    @property
    def end(self) -> int:
        return self.start + paid_seconds(self.deposit, self.price)

    def exit_time(self) -> int:
        """When some party can take this lease to a terminal state, whatever the others do."""
        if self.status == Status.OPEN:
            return self.opened + PARAMS.accept_window + 1  # anyone cancels
        if self.status == Status.ACTIVE:
            return self.end + PARAMS.dispute_window + 1  # anyone finalizes
        return self.disputed_at + PARAMS.arbitration_window + 1  # anyone resolves by timeout


@dataclass
class Stake:
    free: int = 0
    locked: int = 0
    pending: int = 0
    unlock_at: int = 0
    deposited: int = 0
    withdrawn: int = 0
    slashed: int = 0
    completed: int = 0
    lost: int = 0
    won: int = 0
    value: int = 0


@on_both_backends
def test_marketplace_state_machine(backend):
    roles, chain = backend.roles, backend.chain
    tokens = [deploy_token(kind, roles.deployer) for kind in KINDS]
    market = deploy_marketplace(roles.deployer, PARAMS, tokens[0], roles.treasury, roles.arbiter, roles.admin)
    registry = registry_of(market)
    providers, clients = [roles.bob, roles.dave], [roles.alice, roles.carol]
    sponsor, admin, treasury = roles.mallory, roles.admin, roles.treasury
    arbiters = [roles.arbiter, roles.governance]  # the admin switches between them
    wallets = [*providers, *clients, sponsor, admin, treasury]
    for token in tokens:
        market.setPaymentToken(token, True, RATES[0], sender=admin)
        for who in wallets:
            token.mint(who, FUNDS, sender=who)
            token.approve(market, MAX_UINT, sender=who)
    initial_offers = []
    for provider in providers:  # every run starts with staked providers and an offer per token
        tokens[0].approve(registry, MAX_UINT, sender=provider)
        registry.registerProvider("ipfs://gpu", sender=provider)
        registry.depositStake(INITIAL_STAKE, sender=provider)
        for token_index, token in enumerate(tokens):  # odd prices, so fee rounding matters
            price = (997, 1_000_003, 1_009)[token_index]
            market.createOffer(token, price, 60, 86_400, b"\x5e" * 32, "ipfs://offer", sender=provider)
            initial_offers.append(Offer(provider, token_index, price, 60, 86_400))

    class MarketMachine(ChainStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.offers: list[Offer] = [replace(offer) for offer in initial_offers]
            self.leases: list[Lease] = []
            self.stakes = {p.address: Stake(free=INITIAL_STAKE, deposited=INITIAL_STAKE) for p in providers}
            self.wallet = {(t, w.address): FUNDS for t in range(len(tokens)) for w in wallets}
            for provider in providers:
                self.wallet[(0, provider.address)] -= INITIAL_STAKE
            self.credits: dict[tuple[int, str], int] = {}
            self.fees = [0] * len(tokens)
            self.surplus = [0] * len(tokens)
            self.fee_bps = PARAMS.fee_bps
            self.paused = False
            self.forced: Lease | None = None
            self.rates = [RATES[0]] * len(tokens)
            self.arbiter = arbiters[0]
            self.pending_arbiter = None
            self.arbiter_eta = 0
            self.blocked: set[str] = set()  # clients and providers the blocklisting token refuses
            # the marketplace numbers every rate it is given (one list for all tokens; id 0 is never used): the set-up
            # gave token i the id i + 1, and a top-up needs the token's current id to be the lease's
            self.rate_count = len(tokens)
            self.rate_ids = [i + 1 for i in range(len(tokens))]

        # ------------------------------------------------------------------ helpers

        def receive(self, token: int, who, amount: int) -> None:
            self.wallet[(token, who.address)] += arrives(KINDS[token], amount)

        def spend(self, token: int, who, amount: int) -> int:
            self.wallet[(token, who.address)] -= amount
            return arrives(KINDS[token], amount)

        def credit(self, token: int, who, amount: int) -> None:
            key = (token, who.address)
            self.credits[key] = self.credits.get(key, 0) + amount

        def is_blocked(self, token: int, who) -> bool:
            return token == BLOCKLIST and who.address in self.blocked

        def pay_or_credit(self, token: int, who, caller, amount: int) -> None:
            """The caller is paid directly unless the token refuses it (then credited); anyone else is credited."""
            if amount == 0:
                return
            if who.address == caller.address and not self.is_blocked(token, who):
                self.receive(token, who, amount)
            else:
                self.credit(token, who, amount)

        @staticmethod
        def attempt(call, error: tuple | None) -> bool:
            """Send `call`, expecting exactly `error` when the model predicts one; True when it went through."""
            if error:
                with expect_revert(market, *error):
                    call()
                return False
            call()
            return True

        def pick(self, index: int, *statuses: int) -> Lease:
            """A lease in one of `statuses` when there is one (any lease for one index in ten, to exercise the
            wrong-status errors), or the lease the drain rule is working on."""
            if self.forced is not None:
                return self.forced
            candidates = [l for l in self.leases if l.status in statuses] if index % 10 else []
            pool = candidates or self.leases
            return pool[index % len(pool)]

        def release(self, lease: Lease, slash: int, paid: int, outcome: str) -> None:
            """The registry's side of a lease's end: collateral unlocked less the slash, reputation recorded."""
            stake = self.stakes[lease.provider.address]
            stake.locked -= lease.collateral
            stake.free += lease.collateral - slash
            stake.slashed += slash
            lease.slashed = slash
            value = paid * lease.rate // 10**18
            stake.lost += outcome == "lost"
            stake.won += outcome == "won"
            dust = collateral_at(paid, PARAMS.collateral_bps, lease.rate) == 0  # the collateral of what was paid
            if value and lease.collateral and not dust and outcome in ("finalized", "won"):
                stake.completed += 1
                stake.value += value

        def stop(self, lease: Lease, t: int) -> int:
            """Shrink a running lease to what streamed by t; return the refund."""
            streamed = (t - lease.start) * lease.price
            refund = lease.deposit - streamed
            lease.deposit, lease.stopped_at = streamed, t
            lease.refunded += refund
            return refund

        def shrink(self, lease: Lease) -> None:
            """A stopped lease keeps only the collateral of what it still holds; the rest is free stake again."""
            kept = collateral_at(lease.deposit, PARAMS.collateral_bps, lease.rate)
            if kept < lease.collateral:
                stake = self.stakes[lease.provider.address]
                stake.locked -= lease.collateral - kept
                stake.free += lease.collateral - kept
                lease.collateral, lease.collateralised, lease.pieces = kept, lease.deposit, 0

        def pay_provider(self, lease: Lease, new_total: int) -> int:
            net, fee = payout(new_total, lease.withdrawn, lease.fee_bps)
            lease.withdrawn = new_total
            lease.fees += fee
            lease.provider_net += net
            self.fees[lease.token] += fee
            return net

        # ------------------------------------------------------------------ providers

        def deposit_stake(self, p, amount):
            self.tick()
            if self.paused:
                with expect_revert(registry, "EnforcedPause"):
                    registry.depositStake(amount, sender=p)
                return
            registry.depositStake(amount, sender=p)
            received = self.spend(0, p, amount)
            self.stakes[p.address].free += received
            self.stakes[p.address].deposited += received

        def request_unstake(self, p, percent):
            stake = self.stakes[p.address]
            amount = stake.free * percent // 100
            t = self.tick()
            if amount == 0:
                with expect_revert(registry, "InvalidParameter"):
                    registry.requestUnstake(0, sender=p)
                return
            registry.requestUnstake(amount, sender=p)
            stake.free -= amount
            stake.pending += amount
            stake.unlock_at = t + PARAMS.unstake_cooldown

        def cancel_unstake(self, p):
            stake = self.stakes[p.address]
            self.tick()
            if stake.pending == 0:
                with expect_revert(registry, "NothingPending"):
                    registry.cancelUnstake(sender=p)
                return
            registry.cancelUnstake(sender=p)
            stake.free += stake.pending
            stake.pending, stake.unlock_at = 0, 0

        def withdraw_stake(self, p):
            stake = self.stakes[p.address]
            t = self.tick()
            if stake.pending == 0:
                with expect_revert(registry, "NothingPending"):
                    registry.withdrawStake(sender=p)
            elif t < stake.unlock_at:
                with expect_revert(registry, "CooldownActive", stake.unlock_at):
                    registry.withdrawStake(sender=p)
            else:
                registry.withdrawStake(sender=p)
                self.receive(0, p, stake.pending)
                stake.withdrawn += stake.pending
                stake.pending, stake.unlock_at = 0, 0

        # ------------------------------------------------------------------ offers

        def create_offer(self, p, token, price, min_duration, extra):
            self.tick()
            args = (tokens[token], price, min_duration, min_duration + extra, b"\x5e" * 32, "ipfs://offer")
            if self.paused:
                with expect_revert(market, "EnforcedPause"):
                    market.createOffer(*args, sender=p)
                return
            market.createOffer(*args, sender=p)
            self.offers.append(Offer(p, token, price, min_duration, min_duration + extra))

        def edit_offer(self, index, price, active, change_price):
            if not self.offers:
                return
            offer_id = index % len(self.offers) + 1
            offer = self.offers[offer_id - 1]
            self.tick()
            if change_price:
                market.setOfferPrice(offer_id, price, sender=offer.provider)
                offer.price = price
            else:
                market.setOfferActive(offer_id, active, sender=offer.provider)
                offer.active = active

        # ------------------------------------------------------------------ leases

        @precondition(lambda self: self.offers)
        @rule(index=st.integers(0, 99), client=st.sampled_from(clients), position=st.integers(0, 1_000),
              shape=st.sampled_from(["in range"] * 6 + ["too short", "too long", "underbid"]))
        def open_lease(self, index, client, position, shape):
            offer_id = index % len(self.offers) + 1
            offer = self.offers[offer_id - 1]
            duration = {"too short": offer.min_duration - 1, "too long": offer.max_duration + 1}.get(
                shape, offer.min_duration + (offer.max_duration - offer.min_duration) * position // 1_000)
            underbid = shape == "underbid"
            max_price = offer.price - 1 if underbid else offer.price
            t = self.tick()
            call = lambda: market.openLease(offer_id, duration, max_price, sender=client)  # noqa: E731
            if self.paused:
                error = ("EnforcedPause",)
            elif not offer.active:
                error = ("OfferInactive", offer_id)
            elif underbid:
                error = ("PriceAboveMax", offer.price, max_price)
            elif not offer.min_duration <= duration <= offer.max_duration:
                error = ("DurationOutOfRange", duration, offer.min_duration, offer.max_duration)
            else:
                error = None
            if error is None and self.is_blocked(offer.token, client):
                with expect_revert(tokens[BLOCKLIST], "Blocked", client.address):
                    call()
                return
            if not self.attempt(call, error):
                return
            deposit = self.spend(offer.token, client, offer.price * duration)
            self.leases.append(Lease(len(self.leases) + 1, offer_id, client, offer.provider, offer.token, offer.price,
                                     self.fee_bps, offer.max_duration, deposit, deposit, t, original=deposit,
                                     rate=self.rates[offer.token], rate_id=self.rate_ids[offer.token]))

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99))
        def accept_lease(self, index):
            lease = self.pick(index, Status.OPEN)
            stake = self.stakes[lease.provider.address]
            t = self.tick()
            call = lambda: market.acceptLease(lease.id, sender=lease.provider)  # noqa: E731
            needed = collateral_at(lease.deposit, PARAMS.collateral_bps, lease.rate)
            if self.paused:
                error = ("EnforcedPause",)
            elif lease.status != Status.OPEN:
                error = ("WrongStatus", lease.id, lease.status)
            elif t > lease.opened + PARAMS.accept_window:
                error = ("AcceptWindowClosed", lease.id, lease.opened + PARAMS.accept_window)
            elif stake.free < needed:
                error = ("InsufficientStake", stake.free, needed)
            else:
                error = None
            if not self.attempt(call, error):
                return
            stake.free -= needed
            stake.locked += needed
            lease.collateral, lease.collateralised, lease.pieces = needed, lease.deposit, 1
            lease.start, lease.status, lease.arbiter = t, Status.ACTIVE, self.arbiter

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99), who=st.sampled_from(["client", "provider", "anyone"]))
        def cancel_lease(self, index, who):
            lease = self.pick(index, Status.OPEN)
            caller = {"client": lease.client, "provider": lease.provider, "anyone": sponsor}[who]
            t = self.tick()
            deadline = lease.opened + PARAMS.accept_window
            if lease.status != Status.OPEN:
                with expect_revert(market, "WrongStatus", lease.id, lease.status):
                    market.cancelLease(lease.id, sender=caller)
                return
            if who == "anyone" and t <= deadline:
                with expect_revert(market, "AcceptWindowOpen", lease.id, deadline):
                    market.cancelLease(lease.id, sender=caller)
                return
            market.cancelLease(lease.id, sender=caller)
            self.pay_or_credit(lease.token, lease.client, caller, lease.deposit)
            lease.refunded += lease.deposit
            lease.deposit, lease.status = 0, Status.CANCELLED

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99), extra=st.integers(0, 86_400), stranger=st.booleans())
        def top_up(self, index, extra, stranger):
            """The client extends its lease; a stranger's attempt (even on an open lease, just before the provider
            accepts) is refused, so nobody else changes a lease's terms."""
            lease = self.pick(index, Status.ACTIVE, Status.OPEN)
            caller = sponsor if stranger else lease.client
            t = self.tick()
            bought = paid_seconds(lease.deposit, lease.price)
            call = lambda: market.topUp(lease.id, extra, sender=caller)  # noqa: E731
            offer = self.offers[lease.offer - 1]
            received = arrives(KINDS[lease.token], lease.price * extra)
            added = collateral_at(received, PARAMS.collateral_bps, lease.rate)
            stake = self.stakes[lease.provider.address]
            if self.paused:
                error = ("EnforcedPause",)
            elif stranger:
                error = ("NotClient", sponsor.address)
            elif lease.status != Status.ACTIVE:
                error = ("WrongStatus", lease.id, lease.status)
            elif t >= lease.end:
                error = ("LeaseEnded", lease.id, lease.end)
            elif not offer.active:
                error = ("OfferInactive", lease.offer)
            elif offer.price > lease.price:
                error = ("PriceAboveMax", offer.price, lease.price)
            elif extra == 0 or bought + extra > lease.max_duration:
                error = ("DurationOutOfRange", bought + extra, offer.min_duration, offer.max_duration)
            elif self.rate_ids[lease.token] != lease.rate_id or self.fee_bps > lease.fee_bps:
                # a top-up after the admin raised the fee or set the token's rate again: the client opens a new lease
                error = ("TopUpTermsChanged", lease.id, lease.fee_bps, self.fee_bps, lease.rate_id,
                         self.rate_ids[lease.token])
            else:
                error = None
            if error is None and self.is_blocked(lease.token, caller):  # the payment is pulled before the lock
                with expect_revert(tokens[BLOCKLIST], "Blocked", caller.address):
                    call()
                return
            if error is None and stake.free < added:
                error = ("InsufficientStake", stake.free, added)
            if not self.attempt(call, error):
                return
            self.spend(lease.token, caller, lease.price * extra)
            lease.deposit += received
            lease.original += received
            lease.paid_in += received
            lease.collateralised += received
            lease.pieces += 1
            lease.collateral += added
            stake.free -= added
            stake.locked += added

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99))
        def withdraw_earnings(self, index):
            lease = self.pick(index, Status.ACTIVE)
            t = self.tick()
            if lease.status != Status.ACTIVE:
                with expect_revert(market, "WrongStatus", lease.id, lease.status):
                    market.withdrawEarnings(lease.id, sender=lease.provider)
                return
            market.withdrawEarnings(lease.id, sender=lease.provider)
            total = withdrawable(lease.start, t, lease.price, lease.deposit, PARAMS.holdback)
            if total > lease.withdrawn:  # a provider the token refuses is credited
                self.pay_or_credit(lease.token, lease.provider, lease.provider, self.pay_provider(lease, total))

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99), by_client=st.booleans())
        def close_lease(self, index, by_client):
            lease = self.pick(index, Status.ACTIVE)
            caller = lease.client if by_client else lease.provider
            t = self.tick()
            if lease.status != Status.ACTIVE:
                with expect_revert(market, "WrongStatus", lease.id, lease.status):
                    market.closeLease(lease.id, sender=caller)
            elif t >= lease.end:
                with expect_revert(market, "LeaseEnded", lease.id, lease.end):
                    market.closeLease(lease.id, sender=caller)
            else:
                market.closeLease(lease.id, sender=caller)
                self.pay_or_credit(lease.token, lease.client, caller, self.stop(lease, t))

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99))
        def release_excess(self, index):
            """Anyone returns a closed lease's excess collateral to its provider (nothing for other leases)."""
            lease = self.pick(index, Status.ACTIVE)
            self.tick()
            call = lambda: market.releaseExcessCollateral(lease.id, sender=sponsor)  # noqa: E731
            if self.attempt(call, None if lease.status == Status.ACTIVE else ("WrongStatus", lease.id, lease.status)):
                self.shrink(lease)

        @precondition(lambda self: self.offers)
        @rule(offer=st.integers(0, 99), client=st.sampled_from(clients), extra=st.integers(1, 86_400))
        def grief(self, offer, client, extra):
            """A client opens the shortest lease, the provider accepts, the client tops it up, closes it and disputes
            it in consecutive seconds: the provider's stake stays locked only for what the client paid for."""
            count = len(self.leases)
            self.open_lease(offer, client, 0, "in range")
            if len(self.leases) == count:
                return
            lease = self.leases[-1]
            self.forced = lease
            self.accept_lease(0)
            self.top_up(0, extra, False)
            self.close_lease(0, True)
            self.dispute(0, False)
            self.forced = None
            if lease.status == Status.DISPUTED:
                assert lease.collateral <= collateral_at(lease.deposit, PARAMS.collateral_bps, lease.rate)

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99))
        def submit_result(self, index):
            lease = self.pick(index, Status.ACTIVE, Status.DISPUTED)
            self.tick()
            digest = lease.id.to_bytes(32, "big")
            if lease.status not in (Status.ACTIVE, Status.DISPUTED):
                with expect_revert(market, "WrongStatus", lease.id, lease.status):
                    market.submitResult(lease.id, digest, sender=lease.provider)
            elif lease.result:
                with expect_revert(market, "ResultAlreadySubmitted", lease.id, digest):
                    market.submitResult(lease.id, digest, sender=lease.provider)
            else:
                market.submitResult(lease.id, digest, sender=lease.provider)
                lease.result = True

        # ------------------------------------------------------------------ disputes and endings

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99), race=st.sampled_from(["none", "withdraw", "close"]))
        def dispute(self, index, race):
            """`race`: in the block just before the client's dispute the provider withdraws everything it can, or
            closes the lease (its refund is then credited, and the bond comes from that credit)."""
            lease = self.pick(index, Status.ACTIVE)
            if race != "none" and lease.status == Status.ACTIVE:
                forced, self.forced = self.forced, lease
                if race == "withdraw":
                    self.withdraw_earnings(0)
                else:
                    self.close_lease(0, False)
                self.forced = forced
            t = self.tick()
            if lease.status != Status.ACTIVE:
                with expect_revert(market, "WrongStatus", lease.id, lease.status):
                    market.dispute(lease.id, b"\x0d" * 32, sender=lease.client)
                return
            deadline = lease.end + PARAMS.dispute_window
            if t > deadline:
                with expect_revert(market, "DisputeWindowClosed", lease.id, deadline):
                    market.dispute(lease.id, b"\x0d" * 32, sender=lease.client)
                return
            market.dispute(lease.id, b"\x0d" * 32, sender=lease.client)  # never stopped by a blocklisting
            running = t < lease.end
            refund = self.stop(lease, t) if running else 0
            self.shrink(lease)
            lease.frozen = lease.deposit - lease.withdrawn
            # disputeBondBps of the frozen amount or, when larger, of the collateral's value (collateralBps of the
            # remaining deposit): from the refund, then the client's credit, then pulled; what the token refuses
            # to pull is deferred
            bond = max(lease.frozen, lease.deposit * PARAMS.collateral_bps // BPS) * PARAMS.dispute_bond_bps // BPS
            held_back = min(bond, refund)
            lease.refunded -= held_back
            due = bond - held_back
            key = (lease.token, lease.client.address)
            from_credit = min(due, self.credits.get(key, 0))
            self.credits[key] = self.credits.get(key, 0) - from_credit
            lease.paid_in += from_credit
            due -= from_credit
            lease.bond, lease.deferred = bond - due, 0
            if due and self.is_blocked(lease.token, lease.client):
                lease.deferred = due
            elif due:  # pulled from the client: what arrives counts
                pulled = self.spend(lease.token, lease.client, due)
                lease.bond, lease.paid_in = lease.bond + pulled, lease.paid_in + pulled
            self.pay_or_credit(lease.token, lease.client, lease.client, refund - held_back)
            last = min(t, lease.end)  # the stop made the end now
            lease.holdback_due = (streamed(lease.start, last, lease.price, lease.deposit)
                                  - streamed(lease.start, last - PARAMS.holdback, lease.price, lease.deposit))
            lease.disputed_at, lease.status = t, Status.DISPUTED

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99), share=st.sampled_from([0, 1, 5_000, 5_001, 9_999, 10_000]),
              slash_percent=st.sampled_from([0, 1, 50, 100]), by_current=st.booleans())
        def resolve(self, index, share, slash_percent, by_current):
            """By the lease's arbiter, or by whoever is arbiter now (refused if that changed since the acceptance)."""
            lease = self.pick(index, Status.DISPUTED)
            t = self.tick()
            slash = lease.collateral * slash_percent // 100
            caller = self.arbiter if by_current or lease.arbiter is None else lease.arbiter
            call = lambda: market.resolveDispute(lease.id, share, slash, sender=caller)  # noqa: E731
            if lease.status != Status.DISPUTED:
                with expect_revert(market, "WrongStatus", lease.id, lease.status):
                    call()
                return
            if caller.address != lease.arbiter.address:
                with expect_revert(market, "NotArbiter", caller.address):
                    call()
                return
            deadline = lease.disputed_at + PARAMS.arbitration_window
            if t > deadline:
                with expect_revert(market, "ArbitrationWindowClosed", lease.id, deadline):
                    call()
                return
            call()
            lost = share > 5_000 or slash > 0
            self.settle(lease, lease.frozen * share // BPS, slash, "lost" if lost else "won")

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99))
        def resolve_by_timeout(self, index):
            lease = self.pick(index, Status.DISPUTED)
            t = self.tick()
            call = lambda: market.resolveDisputeByTimeout(lease.id, sender=sponsor)  # noqa: E731
            if lease.status != Status.DISPUTED:
                with expect_revert(market, "WrongStatus", lease.id, lease.status):
                    call()
            elif t <= lease.disputed_at + PARAMS.arbitration_window:
                with expect_revert(market, "ArbitrationWindowOpen", lease.id,
                                   lease.disputed_at + PARAMS.arbitration_window):
                    call()
            else:
                call()
                self.settle(lease, lease.frozen, 0, "timeout")

        def settle(self, lease: Lease, client_amount: int, slash: int, outcome: str) -> None:
            provider_gross = lease.frozen - client_amount
            lease.award = client_amount
            taken = min(lease.deferred, client_amount) if outcome == "won" else 0  # a deferred bond, if it lost
            self.credit(lease.token, lease.client, client_amount - taken)
            lease.refunded += client_amount - taken
            if outcome == "won":  # the provider won: the client's bond is its
                self.credit(lease.token, lease.provider, lease.bond + taken)
                lease.bond_to_provider = lease.bond + taken
            else:  # ruled for the client, or a silent arbiter: the bond comes back
                self.credit(lease.token, lease.client, lease.bond)
                lease.refunded += lease.bond
            self.credit(lease.token, lease.provider, self.pay_provider(lease, lease.withdrawn + provider_gross))
            self.credit(0, lease.client, slash)  # token 0 moves without a fee from the registry to the market
            self.release(lease, slash, lease.withdrawn, outcome)
            lease.status = Status.RESOLVED

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99), who=st.sampled_from(["provider", "anyone", "client"]))
        def finalize(self, index, who):
            lease = self.pick(index, Status.ACTIVE)
            caller = {"provider": lease.provider, "anyone": sponsor, "client": lease.client}[who]
            t = self.tick()
            if lease.status != Status.ACTIVE:
                with expect_revert(market, "WrongStatus", lease.id, lease.status):
                    market.finalize(lease.id, sender=caller)
                return
            deadline = lease.end + PARAMS.dispute_window
            if who == "client" and t < lease.end:
                with expect_revert(market, "LeaseNotEnded", lease.id, lease.end):
                    market.finalize(lease.id, sender=caller)
                return
            if who != "client" and t <= deadline:
                with expect_revert(market, "DisputeWindowOpen", lease.id, deadline):
                    market.finalize(lease.id, sender=caller)
                return
            market.finalize(lease.id, sender=caller)
            self.pay_or_credit(lease.token, lease.provider, caller, self.pay_provider(lease, lease.deposit))
            self.release(lease, 0, lease.deposit, "finalized")
            lease.status = Status.FINALIZED

        @precondition(lambda self: self.leases)
        @rule()
        def drain(self):
            """Invariant 4 in action: jump past every pending exit time and take each exit; all must succeed, and
            every client, blocked or not, gets its credit out (to another address when the token blocks it)."""
            pending = [lease for lease in self.leases if lease.status not in Status.TERMINAL]
            if pending:
                self.now = max(lease.exit_time() for lease in pending)
            for lease in pending:
                self.forced = lease
                if lease.status == Status.OPEN:
                    self.cancel_lease(0, "anyone")
                elif lease.status == Status.DISPUTED:
                    self.resolve_by_timeout(0)
                else:
                    self.finalize(0, "anyone")
                self.forced = None
                assert lease.status in Status.TERMINAL
            for (token, address), amount in list(self.credits.items()):
                who = next((c for c in [*clients, *providers] if c.address == address), None)
                if who is not None and amount:
                    self.withdraw_credit(who, token)
                    assert self.credits[(token, address)] == 0

        # ------------------------------------------------------------------ payouts and admin

        def withdraw_credit(self, who, token):
            amount = self.credits.get((token, who.address), 0)
            self.tick()
            if amount == 0:
                with expect_revert(market, "NothingToWithdraw"):
                    market.withdrawCredit(tokens[token], sender=who)
                return
            if self.is_blocked(token, who):  # the token refuses it: it sends its credit elsewhere
                with expect_revert(tokens[BLOCKLIST], "Blocked", who.address):
                    market.withdrawCredit(tokens[token], sender=who)
                market.withdrawCreditTo(tokens[token], sponsor, sender=who)
                self.credits[(token, who.address)] = 0
                self.receive(token, sponsor, amount)
                return
            market.withdrawCredit(tokens[token], sender=who)
            self.credits[(token, who.address)] = 0
            self.receive(token, who, amount)

        def withdraw_fees(self, token):
            self.tick()
            if self.fees[token] == 0:
                with expect_revert(market, "NothingToWithdraw"):
                    market.withdrawFees(tokens[token], sender=treasury)
                return
            market.withdrawFees(tokens[token], sender=treasury)
            self.receive(token, treasury, self.fees[token])
            self.fees[token] = 0

        def set_fee(self, fee_bps):
            self.tick()
            market.setFeeBps(fee_bps, sender=admin)
            self.fee_bps = fee_bps

        def toggle_pause(self):
            self.tick()
            (market.unpause if self.paused else market.pause)(sender=admin)
            self.paused = not self.paused

        def send_surplus(self, token, amount):
            self.tick()
            tokens[token].transfer(market, amount, sender=sponsor)
            self.surplus[token] += self.spend(token, sponsor, amount)

        def recover_surplus(self, token):
            self.tick()
            if self.surplus[token] == 0:
                with expect_revert(market, "NothingToWithdraw"):
                    market.recoverSurplus(tokens[token], admin, sender=admin)
                return
            market.recoverSurplus(tokens[token], admin, sender=admin)
            self.receive(token, admin, self.surplus[token])
            self.surplus[token] = 0

        def set_rate(self, token, rate):
            """A new collateral rate: only leases opened from now on use it."""
            self.tick()
            market.setPaymentToken(tokens[token], True, rate, sender=admin)
            self.rates[token] = rate
            self.rate_count += 1
            self.rate_ids[token] = self.rate_count

        def propose_arbiter(self):
            t = self.tick()
            new = arbiters[1] if self.arbiter.address == arbiters[0].address else arbiters[0]
            market.proposeArbiter(new, sender=admin)
            self.pending_arbiter, self.arbiter_eta = new, t + ARBITER_DELAY

        def execute_arbiter(self):
            t = self.tick()
            call = lambda: market.executeArbiter(sender=sponsor)  # noqa: E731
            if self.pending_arbiter is None:
                error = ("NoPendingArbiter",)
            elif t < self.arbiter_eta:
                error = ("ArbiterTimelockActive", self.arbiter_eta)
            elif t > self.arbiter_eta + ARBITER_TTL:
                error = ("ArbiterProposalExpired", self.arbiter_eta + ARBITER_TTL)
            else:
                error = None
            if self.attempt(call, error):
                self.arbiter, self.pending_arbiter, self.arbiter_eta = self.pending_arbiter, None, 0

        @rule(client=st.sampled_from([*clients, *providers]))
        def toggle_block(self, client):
            """The blocklisting token blocks or unblocks a client or a provider at any moment."""
            self.tick()
            blocked = client.address not in self.blocked
            tokens[BLOCKLIST].setBlocked(client, blocked, sender=sponsor)
            (self.blocked.add if blocked else self.blocked.discard)(client.address)

        @rule(seconds=WAITS)
        def wait(self, seconds):
            self.now += seconds

        # ------------------------------------------------------------------ grouped rules for the less central actions
        # (fewer, broader rules leave more of each run to the lease lifecycle)

        @rule(p=st.sampled_from(providers), action=st.sampled_from(["deposit", "request", "cancel", "withdraw"]),
              amount=st.integers(1, 10**12), percent=st.integers(0, 100))
        def stake_action(self, p, action, amount, percent):
            if action == "deposit":
                self.deposit_stake(p, amount)
            elif action == "request":
                self.request_unstake(p, percent)
            elif action == "cancel":
                self.cancel_unstake(p)
            else:
                self.withdraw_stake(p)

        @rule(p=st.sampled_from(providers), create=st.booleans(), index=st.integers(0, 99), token=st.integers(0, 2),
              price=st.integers(1, 10**6), min_duration=st.integers(1, 600), extra=st.integers(0, 3 * 86_400),
              active=st.booleans(), change_price=st.booleans())
        def offer_action(self, p, create, index, token, price, min_duration, extra, active, change_price):
            if create:
                self.create_offer(p, token, price, min_duration, extra)
            else:
                self.edit_offer(index, price, active, change_price)

        @rule(who=st.sampled_from([*providers, *clients]), token=st.integers(0, 2), fees=st.booleans())
        def payout_action(self, who, token, fees):
            if fees:
                self.withdraw_fees(token)
            else:
                self.withdraw_credit(who, token)

        @rule(action=st.sampled_from(["fee", "pause", "surplus", "recover", "rate", "propose", "execute"]),
              token=st.integers(0, 2), fee_bps=st.integers(0, 1_000), amount=st.integers(1, 10**9),
              rate=st.sampled_from(RATES))
        def admin_action(self, action, token, fee_bps, amount, rate):
            if action == "fee":
                self.set_fee(fee_bps)
            elif action == "rate":
                self.set_rate(token, rate)
            elif action == "propose":
                self.propose_arbiter()
            elif action == "execute":
                self.execute_arbiter()
            elif action == "pause":
                self.toggle_pause()
            elif action == "surplus":
                self.send_surplus(token, amount)
            else:
                self.recover_surplus(token)

        @initialize(client=st.sampled_from(clients), offer=st.integers(0, 3), accept=st.booleans())
        def first_lease(self, client, offer, accept):
            """Start each run with a lease, so short runs still reach the later stages of its life."""
            self.open_lease(offer, client, 500, "in range")
            if accept:
                self.accept_lease(1)

        # ------------------------------------------------------------------ invariants

        def owed(self, token: int) -> int:
            held = [l for l in self.leases if l.token == token and l.status not in Status.TERMINAL]
            escrow = sum(l.deposit - l.withdrawn + (l.bond if l.status == Status.DISPUTED else 0) for l in held)
            credits = sum(v for (t, _), v in self.credits.items() if t == token)
            return escrow + credits + self.fees[token]

        @invariant()
        def conservation(self):
            for i, token in enumerate(tokens):
                owed = self.owed(i)
                assert market.totalOwed(token) == owed
                assert token.balanceOf(market) == owed + self.surplus[i]
                assert market.accruedFees(token) == self.fees[i]
            stake = sum(s.free + s.locked + s.pending for s in self.stakes.values())
            assert registry.totalStake() == stake == tokens[0].balanceOf(registry)

        @invariant()
        def every_tracked_token_covers_what_is_owed(self):  # 7
            tracked = market.trackedTokens()
            assert {t.address for t in tokens} <= set(tracked)
            for address in tracked:
                token = next(t for t in tokens if t.address == address)
                assert token.balanceOf(market) >= market.totalOwed(token)

        @invariant()
        def wallets_and_credits_match(self):
            for (i, who), amount in self.wallet.items():
                assert tokens[i].balanceOf(who) == amount
            for (i, who), amount in self.credits.items():
                assert market.credit(tokens[i], who) == amount

        @invariant()
        def leases_pay_for_delivered_time_only(self):
            head = self.chain.blocks.head.timestamp
            for lease in self.leases:
                onchain = market.getLease(lease.id)
                assert (onchain.status, onchain.deposit, onchain.withdrawn, onchain.frozen, onchain.collateral,
                        onchain.collateralRate) == (lease.status, lease.original, lease.withdrawn, lease.frozen,
                                                    lease.collateral, lease.rate)
                # 9: the original terms beside the outcome (the stop and what it, or a cancellation, refunded)
                original_end = lease.start + paid_seconds(lease.original, lease.price) if lease.start else 0
                assert (onchain.end, onchain.stoppedAt, onchain.refunded) == (
                    original_end, lease.stopped_at, lease.original - lease.deposit)
                delivered = max(0, min(head, lease.end) - lease.start) if lease.start else 0
                assert lease.withdrawn <= lease.price * delivered  # 2: paid at most for delivered seconds
                assert lease.fees == -(-lease.withdrawn * lease.fee_bps // BPS)  # ... less exactly the fee (rounded up)
                assert lease.provider_net == lease.withdrawn - lease.fees
                assert lease.slashed <= lease.collateral  # 3
                if lease.start:  # 6: the arbiter fixed at acceptance
                    assert onchain.arbiter == lease.arbiter.address
                if lease.status in (Status.DISPUTED, Status.RESOLVED):  # 6: the holdback stayed frozen, the bond
                    assert lease.frozen >= lease.holdback_due
                    assert onchain.disputeBond == lease.bond
                if lease.status == Status.DISPUTED:  # 8: only the collateral of what the dispute holds stays locked
                    assert lease.collateral <= collateral_at(lease.deposit, PARAMS.collateral_bps, lease.rate)
                if lease.start:  # 8: collateral worth collateralBps of what it covers, at the lease's own rate
                    assert lease.collateral <= collateral_at(lease.collateralised, PARAMS.collateral_bps, lease.rate)
                    assert lease.collateral >= collateral_at(lease.collateralised, PARAMS.collateral_bps,
                                                             lease.rate) - lease.pieces  # one rounding per piece
                if lease.status in Status.TERMINAL:  # 2: the client got exactly the rest; 4: nothing is held
                    assert lease.refunded + lease.withdrawn + lease.bond_to_provider == lease.paid_in
                    assert onchain.disputeBond == lease.bond
                    assert onchain.deposit - onchain.refunded - onchain.withdrawn == lease.award  # the ruling's part
                else:  # 4: an exit anyone can take exists at a bounded time (the drain rule takes them)
                    if lease.status == Status.OPEN:
                        assert (lease.deposit, lease.refunded) == (lease.paid_in, 0)
                        assert lease.exit_time() <= head + PARAMS.accept_window + 1
                    else:
                        assert lease.end - lease.start <= lease.max_duration
                        assert lease.exit_time() <= max(head, lease.end) + PARAMS.dispute_window + \
                            PARAMS.arbitration_window + 1

        @invariant()
        def stake_is_conserved(self):
            for provider in providers:
                model = self.stakes[provider.address]
                info = registry.providerInfo(provider)
                assert model.free + model.locked + model.pending == model.deposited - model.withdrawn - model.slashed
                assert (info.freeStake, info.lockedStake, info.pendingStake, info.unlockAt, info.leasesCompleted,
                        info.disputesLost, info.disputesWon, info.totalSlashed, info.valueFinalized) == (
                    model.free, model.locked, model.pending, model.unlock_at, model.completed, model.lost,
                    model.won, model.slashed, model.value)
                locked = sum(l.collateral for l in self.leases
                             if l.provider.address == provider.address and l.status in (Status.ACTIVE, Status.DISPUTED))
                assert model.locked == locked

    # A lease needs several steps to reach its later stages: runs are at least 30 steps long in every profile.
    MarketMachine.TestCase.settings = settings(stateful_step_count=max(settings.default.stateful_step_count, 30))
    MarketMachine.TestCase().runTest()
