"""Independent arithmetic for the marketplace tests: what a lease should have paid, written from the rules in the
issue, never read from the contract under test."""

from __future__ import annotations

BPS = 10_000
MAX_FEE_BPS = 1_000
ARBITER_DELAY = 2 * 86_400
ZOO_TRANSFER_FEE_BPS = {"fee_on_transfer": 100}  # what deai.testing.tokens deploys


class Status:
    NONE, OPEN, ACTIVE, DISPUTED, CANCELLED, FINALIZED, RESOLVED = range(7)
    TERMINAL = (CANCELLED, FINALIZED, RESOLVED)


def arrives(kind: str, amount: int) -> int:
    """What reaches the receiver when `amount` of a `kind` zoo token is transferred."""
    return amount - amount * ZOO_TRANSFER_FEE_BPS.get(kind, 0) // BPS


def fee_on(total_earned: int, fee_bps: int) -> int:
    """The fee on cumulative earnings, rounded up: ceil(earned * feeBps / 10,000)."""
    return -(-total_earned * fee_bps // BPS)


def payout(new_total: int, old_total: int, fee_bps: int) -> tuple[int, int]:
    """(net to the provider, fee) when its cumulative earnings move from old_total to new_total."""
    fee = fee_on(new_total, fee_bps) - fee_on(old_total, fee_bps)
    return new_total - old_total - fee, fee


def paid_seconds(deposit: int, price: int) -> int:
    return -(-deposit // price)


def streamed(start: int, now: int, price: int, deposit: int) -> int:
    return min(max(now - start, 0) * price, deposit)


def collateral(deposit: int, collateral_bps: int) -> int:
    return deposit * collateral_bps // BPS


def withdrawable(start: int, now: int, price: int, deposit: int, holdback: int) -> int:
    """What the provider may have withdrawn by `now`: what had streamed `holdback` seconds before the earlier of now
    and the lease's end (the last `holdback` seconds wait for the finalization)."""
    end = start + paid_seconds(deposit, price)
    return streamed(start, min(now, end) - holdback, price, deposit)


def collateral_at(deposit: int, collateral_bps: int, rate: int) -> int:
    """Collateral in stake-token units for `deposit` payment-token units at `rate` (stake units per unit x 1e18)."""
    return deposit * collateral_bps * rate // (BPS * 10**18)
