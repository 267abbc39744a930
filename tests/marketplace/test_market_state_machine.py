"""Stateful property test of the ComputeMarketplace against a ghost ledger kept by the test.

Two providers and two clients trade on offers in two payment tokens (a 6-decimal token that is also the stake
token, and a 1% fee-on-transfer token), with random time jumps and every action: stake, unstake, offers, price
changes, open, accept, cancel, top-up, withdraw, close, results, disputes, rulings, timeouts, finalize, credit and
fee withdrawals, fee changes, pause, surplus sent and recovered, and a "drain" that takes every pending exit. Each
action's outcome, success or the exact custom error, is predicted by the model first. Invariants after every step:
1. conservation per token: the contract's balance equals everything it owes (open escrow, frozen and unwithdrawn
   earnings, credits, fees, stake) plus the surplus sent to it directly;
2. a provider has been paid at most price x delivered seconds, less exactly the fee; when a lease ends, the client
   has been refunded exactly the rest;
3. a slash never exceeds that lease's locked collateral;
4. every non-terminal lease has an exit some party can take at a known, bounded time, and a terminal lease holds
   nothing (the drain rule takes those exits and checks they succeed);
5. free + locked + pending stake equals what the provider deposited minus what it withdrew and was slashed.
Every wallet balance, credit, fee pot and provider record is also compared with the model, to the unit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import settings, strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from deai.deploy.marketplace import MarketplaceParams, deploy_marketplace
from deai.testing.backends import on_both_backends
from deai.testing.chain_isolation import ChainStateMachine
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token
from market_model import BPS, Status, arrives, collateral, paid_seconds, payout

PARAMS = MarketplaceParams(fee_bps=333, collateral_bps=2_500, accept_window=600, dispute_window=3_600,
                           arbitration_window=7_200, unstake_cooldown=3_600)
KINDS = ("standard6", "fee_on_transfer")  # token 0 is also the stake token
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
    deposit: int
    paid_in: int
    opened: int
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


@on_both_backends
def test_marketplace_state_machine(backend):
    roles, chain = backend.roles, backend.chain
    tokens = [deploy_token(kind, roles.deployer) for kind in KINDS]
    market = deploy_marketplace(roles.deployer, PARAMS, tokens[0], roles.treasury, roles.arbiter, roles.admin)
    providers, clients = [roles.bob, roles.dave], [roles.alice, roles.carol]
    sponsor, admin, treasury, arbiter = roles.mallory, roles.admin, roles.treasury, roles.arbiter
    wallets = [*providers, *clients, sponsor, admin, treasury]
    for token in tokens:
        market.setTokenAllowed(token, True, sender=admin)
        for who in wallets:
            token.mint(who, FUNDS, sender=who)
            token.approve(market, MAX_UINT, sender=who)
    initial_offers = []
    for provider in providers:  # every run starts with staked providers and an offer per token
        market.registerProvider("ipfs://gpu", sender=provider)
        market.depositStake(INITIAL_STAKE, sender=provider)
        for token_index, token in enumerate(tokens):  # odd prices, so fee rounding matters
            price = (997, 1_000_003)[token_index]
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

        # ------------------------------------------------------------------ helpers

        def receive(self, token: int, who, amount: int) -> None:
            self.wallet[(token, who.address)] += arrives(KINDS[token], amount)

        def spend(self, token: int, who, amount: int) -> int:
            self.wallet[(token, who.address)] -= amount
            return arrives(KINDS[token], amount)

        def credit(self, token: int, who, amount: int) -> None:
            key = (token, who.address)
            self.credits[key] = self.credits.get(key, 0) + amount

        def pay_or_credit(self, token: int, who, caller, amount: int) -> None:
            if amount == 0:
                return
            if who.address == caller.address:
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

        def release(self, lease: Lease, slash: int) -> None:
            stake = self.stakes[lease.provider.address]
            stake.locked -= lease.collateral
            stake.free += lease.collateral - slash
            stake.slashed += slash
            lease.slashed = slash

        def stop(self, lease: Lease, t: int) -> int:
            """Shrink a running lease to what streamed by t; return the refund."""
            streamed = (t - lease.start) * lease.price
            refund = lease.deposit - streamed
            lease.deposit = streamed
            lease.refunded += refund
            return refund

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
                with expect_revert(market, "EnforcedPause"):
                    market.depositStake(amount, sender=p)
                return
            market.depositStake(amount, sender=p)
            received = self.spend(0, p, amount)
            self.stakes[p.address].free += received
            self.stakes[p.address].deposited += received

        def request_unstake(self, p, percent):
            stake = self.stakes[p.address]
            amount = stake.free * percent // 100
            t = self.tick()
            if amount == 0:
                with expect_revert(market, "InvalidParameter"):
                    market.requestUnstake(0, sender=p)
                return
            market.requestUnstake(amount, sender=p)
            stake.free -= amount
            stake.pending += amount
            stake.unlock_at = t + PARAMS.unstake_cooldown

        def cancel_unstake(self, p):
            stake = self.stakes[p.address]
            self.tick()
            if stake.pending == 0:
                with expect_revert(market, "NothingPending"):
                    market.cancelUnstake(sender=p)
                return
            market.cancelUnstake(sender=p)
            stake.free += stake.pending
            stake.pending, stake.unlock_at = 0, 0

        def withdraw_stake(self, p):
            stake = self.stakes[p.address]
            t = self.tick()
            if stake.pending == 0:
                with expect_revert(market, "NothingPending"):
                    market.withdrawStake(sender=p)
            elif t < stake.unlock_at:
                with expect_revert(market, "CooldownActive", stake.unlock_at):
                    market.withdrawStake(sender=p)
            else:
                market.withdrawStake(sender=p)
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
            if not self.attempt(call, error):
                return
            deposit = self.spend(offer.token, client, offer.price * duration)
            self.leases.append(Lease(len(self.leases) + 1, offer_id, client, offer.provider, offer.token, offer.price,
                                     self.fee_bps, offer.max_duration, deposit, deposit, t))

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99))
        def accept_lease(self, index):
            lease = self.pick(index, Status.OPEN)
            stake = self.stakes[lease.provider.address]
            t = self.tick()
            call = lambda: market.acceptLease(lease.id, sender=lease.provider)  # noqa: E731
            needed = collateral(lease.deposit, PARAMS.collateral_bps)
            if lease.status != Status.OPEN:
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
            lease.collateral, lease.start, lease.status = needed, t, Status.ACTIVE

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
        @rule(index=st.integers(0, 99), extra=st.integers(0, 86_400))
        def top_up(self, index, extra):
            lease = self.pick(index, Status.OPEN, Status.ACTIVE)
            t = self.tick()
            bought = paid_seconds(lease.deposit, lease.price)
            call = lambda: market.topUp(lease.id, extra, sender=sponsor)  # noqa: E731
            offer = self.offers[lease.offer - 1]
            if self.paused:
                error = ("EnforcedPause",)
            elif lease.status not in (Status.OPEN, Status.ACTIVE):
                error = ("WrongStatus", lease.id, lease.status)
            elif lease.status == Status.ACTIVE and t >= lease.end:
                error = ("LeaseEnded", lease.id, lease.end)
            elif extra == 0 or bought + extra > lease.max_duration:
                error = ("DurationOutOfRange", bought + extra, offer.min_duration, offer.max_duration)
            else:
                error = None
            if not self.attempt(call, error):
                return
            received = self.spend(lease.token, sponsor, lease.price * extra)
            lease.deposit += received
            lease.paid_in += received

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
            streamed = min((t - lease.start) * lease.price, lease.deposit)
            self.receive(lease.token, lease.provider, self.pay_provider(lease, streamed))

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
        @rule(index=st.integers(0, 99))
        def dispute(self, index):
            lease = self.pick(index, Status.ACTIVE)
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
            market.dispute(lease.id, b"\x0d" * 32, sender=lease.client)
            if t < lease.end:
                self.receive(lease.token, lease.client, self.stop(lease, t))
            lease.frozen = lease.deposit - lease.withdrawn
            lease.disputed_at, lease.status = t, Status.DISPUTED

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99), share=st.sampled_from([0, 1, 5_000, 5_001, 9_999, 10_000]),
              slash_percent=st.sampled_from([0, 1, 50, 100]))
        def resolve(self, index, share, slash_percent):
            lease = self.pick(index, Status.DISPUTED)
            t = self.tick()
            slash = lease.collateral * slash_percent // 100
            call = lambda: market.resolveDispute(lease.id, share, slash, sender=arbiter)  # noqa: E731
            if lease.status != Status.DISPUTED:
                with expect_revert(market, "WrongStatus", lease.id, lease.status):
                    call()
                return
            deadline = lease.disputed_at + PARAMS.arbitration_window
            if t > deadline:
                with expect_revert(market, "ArbitrationWindowClosed", lease.id, deadline):
                    call()
                return
            call()
            self.settle(lease, lease.frozen * share // BPS, slash, lost=share > 5_000 or slash > 0)

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
                self.settle(lease, lease.frozen, 0, lost=False)

        def settle(self, lease: Lease, client_amount: int, slash: int, lost: bool) -> None:
            provider_gross = lease.frozen - client_amount
            self.credit(lease.token, lease.client, client_amount)
            lease.refunded += client_amount
            self.credit(lease.token, lease.provider, self.pay_provider(lease, lease.withdrawn + provider_gross))
            lease.deposit = lease.withdrawn
            self.credit(0, lease.client, slash)
            self.release(lease, slash)
            self.stakes[lease.provider.address].lost += int(lost)
            lease.frozen, lease.status = 0, Status.RESOLVED

        @precondition(lambda self: self.leases)
        @rule(index=st.integers(0, 99), by_provider=st.booleans())
        def finalize(self, index, by_provider):
            lease = self.pick(index, Status.ACTIVE)
            caller = lease.provider if by_provider else sponsor
            t = self.tick()
            if lease.status != Status.ACTIVE:
                with expect_revert(market, "WrongStatus", lease.id, lease.status):
                    market.finalize(lease.id, sender=caller)
                return
            deadline = lease.end + PARAMS.dispute_window
            if t <= deadline:
                with expect_revert(market, "DisputeWindowOpen", lease.id, deadline):
                    market.finalize(lease.id, sender=caller)
                return
            market.finalize(lease.id, sender=caller)
            self.pay_or_credit(lease.token, lease.provider, caller, self.pay_provider(lease, lease.deposit))
            self.release(lease, 0)
            self.stakes[lease.provider.address].completed += 1
            lease.status = Status.FINALIZED

        @precondition(lambda self: self.leases)
        @rule()
        def drain(self):
            """Invariant 4 in action: jump past every pending exit time and take each exit; all must succeed."""
            pending = [lease for lease in self.leases if lease.status not in Status.TERMINAL]
            if not pending:
                return
            self.now = max(lease.exit_time() for lease in pending)
            for lease in pending:
                self.forced = lease
                if lease.status == Status.OPEN:
                    self.cancel_lease(0, "anyone")
                elif lease.status == Status.DISPUTED:
                    self.resolve_by_timeout(0)
                else:
                    self.finalize(0, False)
                self.forced = None
                assert lease.status in Status.TERMINAL

        # ------------------------------------------------------------------ payouts and admin

        def withdraw_credit(self, who, token):
            amount = self.credits.get((token, who.address), 0)
            self.tick()
            if amount == 0:
                with expect_revert(market, "NothingToWithdraw"):
                    market.withdrawCredit(tokens[token], sender=who)
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

        @rule(p=st.sampled_from(providers), create=st.booleans(), index=st.integers(0, 99), token=st.integers(0, 1),
              price=st.integers(1, 10**6), min_duration=st.integers(1, 600), extra=st.integers(0, 3 * 86_400),
              active=st.booleans(), change_price=st.booleans())
        def offer_action(self, p, create, index, token, price, min_duration, extra, active, change_price):
            if create:
                self.create_offer(p, token, price, min_duration, extra)
            else:
                self.edit_offer(index, price, active, change_price)

        @rule(who=st.sampled_from([*providers, *clients]), token=st.integers(0, 1), fees=st.booleans())
        def payout_action(self, who, token, fees):
            if fees:
                self.withdraw_fees(token)
            else:
                self.withdraw_credit(who, token)

        @rule(action=st.sampled_from(["fee", "pause", "surplus", "recover"]), token=st.integers(0, 1),
              fee_bps=st.integers(0, 1_000), amount=st.integers(1, 10**9))
        def admin_action(self, action, token, fee_bps, amount):
            if action == "fee":
                self.set_fee(fee_bps)
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
            escrow = sum(l.deposit - l.withdrawn for l in self.leases if l.token == token)
            credits = sum(v for (t, _), v in self.credits.items() if t == token)
            stake = sum(s.free + s.locked + s.pending for s in self.stakes.values()) if token == 0 else 0
            return escrow + credits + self.fees[token] + stake

        @invariant()
        def conservation(self):
            for i, token in enumerate(tokens):
                owed = self.owed(i)
                assert market.totalOwed(token) == owed
                assert token.balanceOf(market) == owed + self.surplus[i]
                assert market.accruedFees(token) == self.fees[i]

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
                assert (onchain.status, onchain.deposit, onchain.withdrawn, onchain.frozen, onchain.collateral) == (
                    lease.status, lease.deposit, lease.withdrawn, lease.frozen, lease.collateral)
                delivered = max(0, min(head, lease.end) - lease.start) if lease.start else 0
                assert lease.withdrawn <= lease.price * delivered  # 2: paid at most for delivered seconds
                assert lease.fees == lease.withdrawn * lease.fee_bps // BPS  # ... less exactly the fee
                assert lease.provider_net == lease.withdrawn - lease.fees
                assert lease.slashed <= lease.collateral  # 3
                if lease.status in Status.TERMINAL:  # 2: the client got exactly the rest; 4: nothing is held
                    assert lease.refunded + lease.withdrawn == lease.paid_in
                    assert onchain.deposit == onchain.withdrawn and onchain.frozen == 0
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
                info = market.providerInfo(provider)
                assert model.free + model.locked + model.pending == model.deposited - model.withdrawn - model.slashed
                assert (info.freeStake, info.lockedStake, info.pendingStake, info.unlockAt, info.leasesCompleted,
                        info.disputesLost, info.totalSlashed) == (
                    model.free, model.locked, model.pending, model.unlock_at, model.completed, model.lost,
                    model.slashed)
                locked = sum(l.collateral for l in self.leases
                             if l.provider.address == provider.address and l.status in (Status.ACTIVE, Status.DISPUTED))
                assert model.locked == locked

    # A lease needs several steps to reach its later stages: runs are at least 30 steps long in every profile.
    MarketMachine.TestCase.settings = settings(stateful_step_count=max(settings.default.stateful_step_count, 30))
    MarketMachine.TestCase().runTest()
