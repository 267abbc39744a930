// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IComputeMarketplaceTypes} from "./interfaces/IComputeMarketplace.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";

/// @title MarketplaceBase
/// @notice Storage layout, parameters and shared internal rules of the marketplace. `ComputeMarketplace` (offers,
///         leases, payouts, views) and `MarketplaceDisputesAdmin` (disputes, admin powers; reached by
///         `delegatecall` from the marketplace) both inherit it, so they read and write the same slots.
/// @dev Never add state variables to the two contracts themselves: all storage is declared here, in this order.
abstract contract MarketplaceBase is IComputeMarketplaceTypes, Ownable2Step, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 internal constant BPS = 10_000;
    /// @notice Collateral rates are stake-token units per payment-token unit, scaled by this.
    uint256 public constant RATE_UNIT = 1e18;
    /// @notice Highest fee the admin can set.
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Longest lease an offer can allow (keeps every timestamp in 64 bits).
    uint64 public constant MAX_DURATION = type(uint32).max;
    /// @notice Delay between proposing and installing a new arbiter. It only affects leases accepted after the
    ///         installation: each lease keeps the arbiter in office when it was accepted.
    uint64 public constant ARBITER_DELAY = 2 days;
    /// @notice A proposal not executed within this time after its delay expires.
    uint64 public constant ARBITER_PROPOSAL_TTL = 7 days;

    /// @notice The token providers stake as collateral (held by `registry`).
    IERC20 public immutable stakeToken;
    /// @notice Provider registration, stake and reputation (deployed by the marketplace).
    ProviderRegistry public immutable registry;
    /// @notice Collateral locked at acceptance, in basis points of the lease's deposit (valued at the lease's rate).
    uint16 public immutable collateralBps;
    /// @notice Seconds the provider has to accept an open lease.
    uint64 public immutable acceptWindow;
    /// @notice Seconds after a lease's end during which the client may dispute.
    uint64 public immutable disputeWindow;
    /// @notice Seconds the arbiter has to rule before the timeout refunds the client.
    uint64 public immutable arbitrationWindow;
    /// @notice Earnings younger than this many seconds cannot be withdrawn: a dispute always freezes them.
    uint64 public immutable holdback;
    /// @notice Disputing a running lease holds back this share of the frozen amount (basis points, at most the
    ///         refund) as the client's bond: returned when the client is ruled right or the arbiter is silent, paid
    ///         to the provider when the provider wins.
    uint16 public immutable disputeBondBps;

    /// @dev Index in `_arbiters` of the arbiter in office (snapshotted by every lease at acceptance). Declared first
    ///      so Solidity packs it into the slot of Ownable2Step's `_pendingOwner` and Pausable's `_paused`, which
    ///      `acceptLease` reads anyway (`whenNotPaused`): the snapshot costs no extra storage read
    ///      (`test_market_layout.py` checks the slot).
    uint16 internal _arbiterId;
    /// @dev Read together by `openLease` (fee) and `withdrawFees` (treasury): one slot.
    address public treasury;
    /// @notice Fee for new leases, in basis points of the provider's earnings.
    uint16 public feeBps;
    /// @dev Every arbiter ever installed, in order; a lease rules with `_arbiters[lease.arbiterId]`.
    address[] internal _arbiters;
    /// @notice Proposed arbiter, installable from `arbiterEta` until `arbiterEta + ARBITER_PROPOSAL_TTL`.
    address public pendingArbiter;
    /// @notice When the pending arbiter becomes installable.
    uint64 public arbiterEta;

    /// @dev Per payment token; one slot, read and written by every money movement. `rateId` indexes `_rates`
    ///      (0: never set).
    struct TokenInfo {
        uint112 owed; // everything owed in this token (kept below 2^112 by `_pull`, so every amount fits)
        uint112 fees; // accrued fees, part of `owed`
        bool allowed; // payment-token allowlist
        uint16 rateId; // current collateral rate (at most 2^16 - 1 rates are ever set: a lease keeps 16 bits)
    }

    /// @dev Provider and payment token are immutable per offer, so leases read them through `offerId`. Two slots:
    ///      the first read by accept and the checks of open, the second by open (token, price).
    struct Offer {
        address provider;
        uint32 minDuration;
        uint32 maxDuration;
        bool active;
        address paymentToken;
        uint96 pricePerSecond;
        bytes32 specHash;
        string uri;
    }

    /// @dev Five slots, packed by who writes them:
    ///      slot 0 `client | start | feeBps | status | offerId` (open; start and status at acceptance and later);
    ///      slot 1 `pricePerSecond | deposit | rateId | stopOffset` (open; `deposit` grows by top-ups; a stop writes
    ///      only `stopOffset`, so `closeLease` still writes this one slot and no other);
    ///      slot 2 `withdrawn | collateral | arbiterId` (a fresh slot at acceptance; withdrawals, shrinks, endings);
    ///      slot 3 `frozen | disputedAt` and slot 4 `resultHash` (a dispute; the provider's result).
    ///      `deposit` is the whole deposit with every top-up and never shrinks, so the terms stay readable after
    ///      the lease stops. `stopOffset` is 0 until a close or a dispute stops a running lease at `start + s`,
    ///      then `s + 1` (s is below the paid seconds, at most 2^32 - 2, so it fits). What an accepted lease holds
    ///      (`_terms`) is the deposit until then and `s * price` afterwards, and its paid time ends at
    ///      `start + s`. `withdrawn <= held <= deposit < 2^112`. `start` is the opening time while Open and the
    ///      acceptance time afterwards. `held - withdrawn` is what an Active or Disputed lease still holds;
    ///      terminal leases hold nothing (after a ruling `held - withdrawn` is what went back to the client,
    ///      `frozen` what was disputed).
    struct Lease {
        address client;
        uint40 start;
        uint16 feeBps;
        Status status;
        uint32 offerId;
        uint96 pricePerSecond;
        uint112 deposit;
        uint16 rateId;
        uint32 stopOffset;
        uint112 withdrawn;
        uint128 collateral;
        uint16 arbiterId;
        uint128 frozen;
        uint40 disputedAt;
        bytes32 resultHash;
    }

    mapping(address token => TokenInfo) internal _tokens;
    mapping(address token => mapping(address account => uint256)) internal _credits;
    mapping(uint256 offerId => Offer) internal _offers;
    mapping(uint256 leaseId => Lease) internal _leases;
    /// @dev Written once, when the dispute opens: the client's bond.
    mapping(uint256 leaseId => uint256) internal _bonds;
    /// @dev Every collateral rate ever set (index 0 unused); leases keep the index of theirs.
    uint256[] internal _rates;
    /// @dev Every token the contract may owe: the stake token (slashes) and every token ever allowed. Grows only
    ///      by admin action, so `recoverSurplus` can check them all.
    address[] internal _trackedTokens;
    /// @notice Number of offers created (ids start at 1).
    uint256 public offerCount;
    /// @notice Number of leases opened (ids start at 1).
    uint256 public leaseCount;
    /// @dev The part of a client's dispute bond the token refused to pull (written only then, at the dispute): taken
    ///      from the client's part of the frozen amount if the provider wins.
    mapping(uint256 leaseId => uint256) internal _deferredBonds;

    /// @dev Sets the parameters both pieces compile into their code (immutables).
    constructor(
        IERC20 stakeToken_,
        ProviderRegistry registry_,
        uint16 collateralBps_,
        uint64 acceptWindow_,
        uint64 disputeWindow_,
        uint64 arbitrationWindow_,
        uint64 holdback_,
        uint16 disputeBondBps_,
        address admin
    ) Ownable(admin) {
        stakeToken = stakeToken_;
        registry = registry_;
        collateralBps = collateralBps_;
        acceptWindow = acceptWindow_;
        disputeWindow = disputeWindow_;
        arbitrationWindow = arbitrationWindow_;
        holdback = holdback_;
        disputeBondBps = disputeBondBps_;
    }

    /// @notice The arbiter in office: it rules on the disputes of leases accepted from now on.
    function arbiter() public view returns (address) {
        return _arbiters[_arbiterId];
    }

    function _offer(uint256 offerId) internal view returns (Offer storage offer) {
        offer = _offers[offerId];
        if (offer.provider == address(0)) revert UnknownOffer(offerId);
    }

    function _ownOffer(uint256 offerId) internal view returns (Offer storage offer) {
        offer = _offer(offerId);
        if (offer.provider != msg.sender) revert NotProvider(msg.sender);
    }

    function _lease(uint256 leaseId) internal view returns (Lease storage lease) {
        lease = _leases[leaseId];
        if (lease.status == Status.None) revert UnknownLease(leaseId);
    }

    function _requireStatus(Lease storage lease, uint256 leaseId, Status expected) internal view {
        Status status = lease.status;
        if (status != expected) revert WrongStatus(leaseId, status);
    }

    /// @dev A price must be non-zero and below 2^96, so a full-length lease (< 2^32 s) fits 128 bits.
    function _checkPrice(uint256 pricePerSecond) internal pure {
        if (pricePerSecond == 0) revert InvalidParameter();
        if (pricePerSecond > type(uint96).max) revert AmountTooLarge(pricePerSecond);
    }

    /// @dev Collateral for `amount` of payment token at rate `rateId`: `amount * collateralBps / 10_000` valued in
    ///      stake-token units, rounded down.
    function _collateral(uint256 amount, uint16 rateId) internal view returns (uint128) {
        // amount < 2^128 and collateralBps <= 10_000: the product fits 256 bits
        uint256 value = Math.mulDiv(amount * collateralBps, _rates[rateId], BPS * RATE_UNIT);
        if (value > type(uint128).max) revert AmountTooLarge(value);
        return uint128(value);
    }

    /// @dev End of the paid time: the deposit covers `ceil(deposit / price)` seconds (the last one partly when a
    ///      fee-on-transfer token delivered less than `price * duration`).
    function _end(uint256 start, uint256 deposit, uint256 price) internal pure returns (uint256) {
        return start + Math.ceilDiv(deposit, price);
    }

    /// @dev What an accepted lease had earned at `t`: `min((t - start) * price, deposit)`, zero before `start`.
    function _streamed(uint256 t, uint256 start, uint256 price, uint256 deposit) internal pure returns (uint256) {
        if (t <= start) return 0;
        // (t - start) < 2^40 and price < 2^96: no overflow
        return Math.min((t - start) * price, deposit);
    }

    /// @dev What the provider may have withdrawn by now: what had streamed `holdback` seconds before
    ///      `min(now, end)`, so the last `holdback` seconds of a lease stay in escrow until it is finalized and a
    ///      dispute at any second of the window freezes them.
    function _withdrawable(Lease storage lease) internal view returns (uint256) {
        (uint256 start, uint256 price, uint256 held, uint256 end) = _terms(lease);
        uint256 t = Math.min(block.timestamp, end);
        uint256 back = holdback;
        return t <= back ? 0 : _streamed(t - back, start, price, held);
    }

    /// @dev An accepted lease's start, price, what it holds and when its paid time ends: the whole deposit until
    ///      `start + ceil(deposit / price)`, or, once stopped `s` seconds after its start (`stopOffset = s + 1`),
    ///      what had streamed then (`s * price`) until `start + s`.
    function _terms(Lease storage lease)
        internal
        view
        returns (uint256 start, uint256 price, uint256 held, uint256 end)
    {
        start = lease.start;
        price = lease.pricePerSecond;
        uint256 stopOffset = lease.stopOffset;
        if (stopOffset == 0) {
            held = lease.deposit;
            end = _end(start, held, price);
        } else {
            // stopOffset >= 1 here; (stopOffset - 1) * price < 2^32 * 2^96
            unchecked {
                end = stopOffset - 1;
            }
            held = end * price;
            end += start;
        }
    }

    /// @dev Stops a running lease now: it holds only what has streamed, the rest is returned as the refund, and its
    ///      paid time ends now (`deposit` keeps the original terms; only `stopOffset` is written). The collateral
    ///      of the refunded part becomes excess, released by `_shrinkCollateral` (at a dispute, or by anyone
    ///      through `releaseExcessCollateral`). Callers check the lease is Active; reverts if it has already ended
    ///      (a stopped lease has: its end is its stop), so a lease stops at most once.
    function _stopNow(Lease storage lease, uint256 leaseId) internal returns (uint256 refund) {
        (uint256 start, uint256 price, uint256 held, uint256 end) = _terms(lease);
        if (block.timestamp >= end) revert LeaseEnded(leaseId, uint64(end));
        // now < end = start + ceil(held / price) <= start + 2^32 - 1: elapsed + 1 fits 32 bits, elapsed * price < held
        uint256 elapsed = block.timestamp - start;
        lease.stopOffset = uint32(elapsed + 1);
        refund = held - elapsed * price;
    }

    /// @dev Shrinks a lease's collateral to that of what it still holds (`_collateral(held)`), returning the
    ///      excess (the collateral of a refunded part) to `provider`'s free stake. A lease that was never stopped
    ///      has none (its collateral is a sum of rounded-down parts of its deposit's).
    function _shrinkCollateral(Lease storage lease, uint256 leaseId, address provider, uint256 held) internal {
        uint128 locked = lease.collateral;
        uint128 kept = _collateral(held, lease.rateId);
        if (kept >= locked) return;
        lease.collateral = kept;
        emit CollateralReleased(leaseId, provider, locked - kept, kept);
        registry.unlock(provider, locked - kept);
    }

    /// @dev The fee is charged on cumulative earnings, rounded up: moving the provider's total from `from` to `to`
    ///      costs `ceil(to * fee) - ceil(from * fee)`, never more than `to - from` (fee <= 10%), and a non-zero
    ///      total never pays zero fee at a non-zero rate.
    function _netOfFee(uint256 to, uint256 from, uint16 leaseFeeBps)
        internal
        pure
        returns (uint256 amount, uint256 fee)
    {
        fee = Math.ceilDiv(to * leaseFeeBps, BPS) - Math.ceilDiv(from * leaseFeeBps, BPS);
        amount = to - from - fee;
    }

    /// @dev Where a lease's life ends for its provider: unlocks the collateral in the registry (taking `slash` of
    ///      it into this contract's stake-token ledger, by balance delta) and records the outcome with the value
    ///      `paid` to the provider, in stake-token units at the lease's rate (zero when the collateral of `paid` rounds
    ///      to zero), and the fee charged on it in the same units; the registry reports both to the Compute rewards
    ///      contract.
    function _release(
        Lease storage lease,
        address provider,
        uint256 slash,
        uint256 paid,
        IProviderRegistry.Outcome outcome
    ) internal returns (uint256 slashed) {
        uint256 rate = _rates[lease.rateId];
        // the dust rule reads the collateral of what was paid (not the collateral still locked, which a close that
        // nobody released leaves at the original deposit's): a payment whose collateral
        // `floor(paid * collateralBps * rate / (10_000 * 1e18))` rounds to zero counts for nothing in reputation and
        // rewards. paid <= deposit < 2^112, collateralBps < 2^14, rate < 2^128: the product fits 256 bits
        bool dust;
        unchecked {
            dust = paid * collateralBps * rate < BPS * RATE_UNIT;
        }
        uint256 value = dust ? 0 : Math.mulDiv(paid, rate, RATE_UNIT);
        uint256 fee = value * lease.feeBps / BPS; // the lease's fee on `paid`, in the same units (rounded down)
        if (slash == 0) {
            registry.release(provider, lease.collateral, 0, value, fee, outcome);
            return 0;
        }
        IERC20 stake = stakeToken;
        uint256 before = _balanceOf(address(stake));
        registry.release(provider, lease.collateral, slash, value, fee, outcome);
        slashed = _balanceOf(address(stake)) - before;
        _owe(address(stake), slashed);
    }

    /// @dev Pulls `amount` from the caller and returns what arrived (balance delta), added to what is owed.
    function _pull(address token, uint256 amount) internal returns (uint128 received) {
        uint256 before = _balanceOf(token);
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        received = uint128(_owe(token, _balanceOf(token) - before)); // below 2^112
    }

    /// @dev This contract's balance of `token`, read in assembly: the marketplace and its module read balances at
    ///      many places (balance-delta accounting, surplus recovery) and the high-level call's code would not fit the
    ///      size limit. Reverts (bubbling the token's reason) unless the call succeeds and returns at least a word,
    ///      which also refuses an address without code.
    function _balanceOf(address token) internal view returns (uint256 amount) {
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address), its selector right-aligned in the first word
            mstore(0x20, address())
            // `and` evaluates its second argument (the call) first, so returndatasize() is the call's
            if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))) {
                returndatacopy(0x00, 0x00, returndatasize())
                revert(0x00, returndatasize())
            }
            amount := mload(0x00)
        }
    }

    /// @dev Adds `amount` that arrived to what is owed in `token`, which must stay below 2^112.
    function _owe(address token, uint256 amount) internal returns (uint256) {
        TokenInfo storage info = _tokens[token];
        uint256 owed = info.owed + amount;
        if (owed > type(uint112).max) revert AmountTooLarge(owed);
        info.owed = uint112(owed);
        return amount;
    }

    /// @dev Sends `amount` to `to` and removes it from what is owed.
    function _send(address token, address to, uint256 amount) internal {
        _tokens[token].owed -= uint112(amount); // amount is part of owed, so below 2^112
        IERC20(token).safeTransfer(to, amount);
    }

    /// @dev Pays the caller directly, crediting it instead when the token refuses the transfer (a blocklisted
    ///      caller still completes its action); anyone else is credited, so a blocked or hostile recipient cannot
    ///      block the caller's action.
    function _payOrCredit(address token, address account, uint256 amount) internal {
        if (amount == 0) return;
        if (account == msg.sender) {
            TokenInfo storage info = _tokens[token];
            info.owed -= uint112(amount); // amount is part of owed
            if (IERC20(token).trySafeTransfer(account, amount)) return;
            info.owed += uint112(amount); // the transfer failed: nothing left
        }
        _credit(token, account, amount);
    }

    function _credit(address token, address account, uint256 amount) internal {
        if (amount == 0) return;
        _credits[token][account] += amount;
        emit Credited(token, account, amount);
    }

    function _accrueFee(address token, uint256 fee) internal {
        if (fee != 0) _tokens[token].fees += uint112(fee); // fee is part of owed, so below 2^112
    }
}
