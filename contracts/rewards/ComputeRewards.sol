// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IEmissionSplitter} from "../emission/interfaces/IEmissionSplitter.sol";
import {IComputeRewards} from "./interfaces/IComputeRewards.sol";

/// @dev The splitter's governance and timelock, which the rebate cap defers to (as the reward pools do).
interface IGovernedSplitter {
    function owner() external view returns (address);
    function timelockDelay() external view returns (uint256);
}

/// @title ComputeRewards
/// @notice The Compute bucket's recipient: pays the bucket's emission to providers for compute that was paid for,
///         delivered and can no longer be disputed away, in proportion to its value, with a bound on self-dealing.
/// @dev Rules (each exact; nothing loops over providers, leases or epochs):
///      - Work: the marketplace's ProviderRegistry (`reporter`, immutable) reports a lease's value and fee in
///        stake-token units when the lease is finalized or its provider won the dispute; the report lands in the
///        epoch of its block (`epochStart + k * epochLength`). One slot per epoch and one per (provider, epoch).
///      - Emission of an epoch: the bucket's accrual to this contract (`splitter.accrual`, which no claim changes) is
///        attributed lazily, at the first report, claim or `checkpoint` after an epoch boundary. What accrued since
///        the previous checkpoint (at `last`, in epoch L) until now (in epoch C > L) is split by the curve
///        (`periodReward`) over [last, end of L), [start of C, now) and the epochs in between; the last part gets the
///        rounding rest. Epochs in between had no work (a report would have checkpointed), so their part goes to
///        protection; so does L's whole emission if L had no work. Hence at every moment
///        sum(epoch emissions) + protection credited == accrual attributed, to the wei.
///      - A provider's reward for an ended epoch: share = floor(emission * value / totalValue), paid up to
///        cap = floor(fee * rebateCap / feeUnit) with the epoch's cap (the one in force at its first report); the
///        rest of the share is credited to protection at the claim. When the epoch's last value is claimed its
///        rounding dust (emission - sum of shares) is credited to protection too.
///      - Protection is paid to the splitter's protection-bucket recipient by anyone (`releaseProtection`).
///      - Payouts mint straight from the bucket (`claimTo`); tokens this contract holds (minted to it when governance
///        moved the bucket away, or by someone's `splitter.claim`) pay when the splitter cannot.
///      Hence providers' rewards + protection paid + protection credited + unclaimed shares + unattributed accrual
///      == the bucket's accrual to this contract, and that plus what it holds is the bucket's emission to it.
contract ComputeRewards is IComputeRewards {
    using SafeERC20 for IERC20;

    /// @dev The splitter bucket this contract receives (Compute); public through `bucket()` (a public constant
    ///      as well would give front ends two getters whose generated hook names collide).
    uint8 private constant BUCKET = 2;
    /// @dev The splitter's protection bucket, whose recipient receives what the cap holds back.
    uint8 private constant PROTECTION = 4;
    /// @notice `rebateCap` is emission-token wei per whole stake token of fee (`feeUnit` base units); `CAP_UNIT` is
    ///         one emission token per whole stake token.
    uint256 public constant CAP_UNIT = 1e18;
    /// @notice Highest cap governance can set: 10 emission tokens per whole stake token of fee (fits 64 bits).
    uint256 public constant MAX_REBATE_CAP = 10 * CAP_UNIT;
    /// @notice How long after its eta a cap proposal can still execute.
    uint256 public constant GRACE_PERIOD = 14 days;

    IEmissionSplitter private immutable _splitter;
    IERC20 private immutable _token;
    /// @notice The ProviderRegistry whose `release` reports work.
    address public immutable reporter;
    /// @notice Start of epoch 0.
    uint256 public immutable epochStart;
    /// @notice Seconds per epoch.
    uint256 public immutable epochLength;
    /// @notice One whole stake token in base units (10^decimals): fees are reported in stake-token base units, and
    ///         the cap is per whole token, so it means the same for a 6-decimal and an 18-decimal stake token.
    uint256 public immutable feeUnit;

    /// @dev One slot, read by an epoch's first report and written by every checkpoint: the last checkpoint's time,
    ///      the cap new epochs take (at most `MAX_REBATE_CAP` < 2^64) and the bucket's accrual attributed so far
    ///      (below the curve's total < 2^96, which the splitter checks).
    struct State {
        uint40 lastCheckpoint;
        uint64 rebateCap;
        uint96 accounted;
    }

    /// @dev Slot 1 is written by reports (value, cap, number of providers), slot 2 by checkpoints (emission, below
    ///      the curve's total < 2^96) and claims (shares taken, number of claims).
    struct Epoch {
        uint128 totalValue;
        uint64 rebateCap;
        uint32 providers;
        uint96 emission;
        uint96 distributed;
        uint32 claims;
    }

    /// @dev A provider's unclaimed work in an epoch; fee <= value (the registry's fee is a share of the value).
    struct Work {
        uint128 value;
        uint128 fee;
    }

    State private _state;
    /// @notice Credited to protection and not yet paid to the protection fund.
    uint256 public protectionOwed;
    /// @notice Proposed cap and when it can execute (eta 0: none); one slot.
    uint128 public pendingRebateCap;
    uint64 public rebateCapEta;
    mapping(uint256 epoch => Epoch) private _epochs;
    mapping(address provider => mapping(uint256 epoch => Work)) private _work;

    /// @param splitter_ The emission splitter (its CREATE address when deployed before it).
    /// @param token_ The emission token.
    /// @param reporter_ The marketplace's ProviderRegistry.
    /// @param epochStart_ Start of epoch 0 (reports before it count in epoch 0).
    /// @param epochLength_ Seconds per epoch (1 hour to 365 days).
    /// @param rebateCap_ Initial cap (at most `MAX_REBATE_CAP`).
    /// @param stakeDecimals_ The stake token's decimals (at most 18): fees arrive in its base units.
    constructor(
        IEmissionSplitter splitter_,
        IERC20 token_,
        address reporter_,
        uint256 epochStart_,
        uint256 epochLength_,
        uint256 rebateCap_,
        uint8 stakeDecimals_
    ) {
        if (address(splitter_) == address(0) || address(token_) == address(0) || reporter_ == address(0)) {
            revert InvalidParameter();
        }
        if (
            epochLength_ < 1 hours || epochLength_ > 365 days || epochStart_ > type(uint40).max
                || stakeDecimals_ > 18
        ) {
            revert InvalidParameter();
        }
        if (rebateCap_ > MAX_REBATE_CAP) revert CapTooLarge(rebateCap_, MAX_REBATE_CAP);
        _splitter = splitter_;
        _token = token_;
        reporter = reporter_;
        epochStart = epochStart_;
        epochLength = epochLength_;
        feeUnit = 10 ** stakeDecimals_;
        _state = State(uint40(epochStart_), uint64(rebateCap_), 0);
        emit RebateCapSet(rebateCap_);
    }

    // ------------------------------------------------------------------ emission recipient

    /// @notice The splitter whose bucket this contract receives (checked by the splitter when it becomes a
    ///         recipient).
    function splitter() external view returns (address) {
        return address(_splitter);
    }

    /// @notice The bucket this contract is built for (Compute, 2).
    function bucket() external pure returns (uint8) {
        return BUCKET;
    }

    /// @notice The emission token it pays out.
    function rewardToken() external view returns (address) {
        return address(_token);
    }

    // ------------------------------------------------------------------ work

    /// @inheritdoc IComputeRewards
    /// @dev Checkpoints first when an epoch boundary passed since the last checkpoint (so epochs between two
    ///      checkpoints never hold work). The registry calls it with a gas cap and ignores a failure. No event of
    ///      its own (the 15,000-gas budget of a finalize): the registry's `LeaseOutcome` in the same call carries
    ///      the provider, value and fee, its `RewardsReportFailed` a report that did not land, and the epoch is the
    ///      block's.
    function reportWork(address provider, uint256 value, uint256 fee) external {
        if (msg.sender != reporter) revert NotReporter(msg.sender);
        if (fee > value) revert InvalidParameter();
        uint256 epoch = _epochOf(block.timestamp);
        Epoch storage entry = _epochs[epoch];
        uint256 before = entry.totalValue;
        uint256 total = before + value;
        if (total > type(uint128).max) revert AmountTooLarge(total);
        if (before == 0) {
            // the epoch's first work: checkpoint if a boundary passed (later reports in this epoch need not look:
            // this one did), and fix the epoch's cap, the one in force now
            State memory state = _state;
            if (epoch != _epochOf(state.lastCheckpoint)) _checkpoint(state);
            entry.rebateCap = state.rebateCap;
        }
        entry.totalValue = uint128(total);
        Work memory work = _work[provider][epoch];
        // a provider's first work in the epoch (an epoch is claimed only once it ended, so never before); fewer
        // than 2^32 providers report in one epoch (each report is a transaction)
        if (work.value == 0) ++entry.providers;
        // value <= total < 2^128 and fee <= value; a provider's sums are bounded by the epoch's total
        unchecked {
            _work[provider][epoch] = Work(work.value + uint128(value), work.fee + uint128(fee));
        }
    }

    /// @inheritdoc IComputeRewards
    function checkpoint() external {
        State memory state = _state;
        if (_epochOf(block.timestamp) != _epochOf(state.lastCheckpoint)) _checkpoint(state);
    }

    // ------------------------------------------------------------------ claims

    /// @inheritdoc IComputeRewards
    function claim(uint256 epoch) external returns (uint256 reward) {
        _checkpointFor(epoch);
        uint256 heldBack;
        (reward, heldBack) = _settle(msg.sender, epoch);
        if (heldBack != 0) protectionOwed += heldBack;
        _pay(msg.sender, reward);
    }

    /// @inheritdoc IComputeRewards
    function claimMany(uint256[] calldata epochs) external returns (uint256 reward) {
        uint256 heldBack = 0;
        uint256 count = epochs.length; // the caller's own list: constant gas per epoch
        for (uint256 i = 0; i < count; ++i) {
            _checkpointFor(epochs[i]);
            (uint256 r, uint256 h) = _settle(msg.sender, epochs[i]);
            reward += r;
            heldBack += h;
        }
        if (heldBack != 0) protectionOwed += heldBack;
        _pay(msg.sender, reward);
    }

    /// @inheritdoc IComputeRewards
    function releaseProtection() external returns (uint256 amount) {
        amount = protectionOwed;
        if (amount == 0) revert NothingToRelease();
        protectionOwed = 0;
        address fund = _splitter.recipients()[PROTECTION];
        emit ProtectionReleased(fund, amount);
        _pay(fund, amount);
    }

    // ------------------------------------------------------------------ governance (the splitter's timelock)

    /// @inheritdoc IComputeRewards
    /// @dev Refused while another proposal is live; an expired one is replaced (with its cancellation event).
    function proposeRebateCap(uint256 newCap) external {
        _onlyGovernance();
        if (newCap > MAX_REBATE_CAP) revert CapTooLarge(newCap, MAX_REBATE_CAP);
        uint256 pending = rebateCapEta;
        if (pending != 0) {
            if (block.timestamp <= pending + GRACE_PERIOD) revert ProposalPending(pending);
            emit RebateCapCancelled();
        }
        // the splitter's delay is 48 hours to 30 days: the eta fits 64 bits
        uint64 eta = uint64(block.timestamp + IGovernedSplitter(address(_splitter)).timelockDelay());
        pendingRebateCap = uint128(newCap);
        rebateCapEta = eta;
        emit RebateCapProposed(newCap, eta);
    }

    /// @inheritdoc IComputeRewards
    function executeRebateCap() external {
        uint256 eta = rebateCapEta;
        if (eta == 0) revert NoProposal();
        if (block.timestamp < eta) revert TimelockNotElapsed(eta);
        if (block.timestamp > eta + GRACE_PERIOD) revert ProposalExpired(eta + GRACE_PERIOD);
        uint128 newCap = pendingRebateCap;
        _state.rebateCap = uint64(newCap); // <= MAX_REBATE_CAP < 2^64
        pendingRebateCap = 0;
        rebateCapEta = 0;
        emit RebateCapSet(newCap);
    }

    /// @inheritdoc IComputeRewards
    function cancelRebateCap() external {
        _onlyGovernance();
        if (rebateCapEta == 0) revert NoProposal();
        pendingRebateCap = 0;
        rebateCapEta = 0;
        emit RebateCapCancelled();
    }

    // ------------------------------------------------------------------ views

    /// @notice The cap new epochs take (emission-token wei per whole stake token of fee).
    function rebateCap() external view returns (uint256) {
        return _state.rebateCap;
    }

    /// @notice The bucket's accrual to this contract that has been attributed to epochs or protection.
    function accounted() external view returns (uint256) {
        return _state.accounted;
    }

    /// @notice Time of the last checkpoint.
    function lastCheckpoint() external view returns (uint256) {
        return _state.lastCheckpoint;
    }

    /// @inheritdoc IComputeRewards
    function currentEpoch() external view returns (uint256) {
        return _epochOf(block.timestamp);
    }

    /// @inheritdoc IComputeRewards
    function epochInfo(uint256 epoch) external view returns (EpochInfo memory) {
        Epoch storage entry = _epochs[epoch];
        return EpochInfo(entry.totalValue, entry.rebateCap, entry.providers, entry.emission, entry.distributed,
            entry.claims);
    }

    /// @inheritdoc IComputeRewards
    function workOf(address provider, uint256 epoch) external view returns (uint256 value, uint256 fee) {
        Work storage work = _work[provider][epoch];
        return (work.value, work.fee);
    }

    /// @inheritdoc IComputeRewards
    /// @dev Uses the emission attributed so far: an ended epoch not yet checkpointed shows less than it will pay.
    function pendingReward(address provider, uint256 epoch) external view returns (uint256 reward, uint256 heldBack) {
        Work storage work = _work[provider][epoch];
        if (work.value == 0) return (0, 0);
        Epoch storage entry = _epochs[epoch];
        uint256 share = Math.mulDiv(entry.emission, work.value, entry.totalValue);
        reward = Math.min(share, Math.mulDiv(work.fee, entry.rebateCap, feeUnit));
        heldBack = share - reward;
    }

    // ------------------------------------------------------------------ internals

    function _epochOf(uint256 time) private view returns (uint256) {
        return time < epochStart ? 0 : (time - epochStart) / epochLength;
    }

    function _onlyGovernance() private view {
        if (msg.sender != IGovernedSplitter(address(_splitter)).owner()) revert NotGovernance(msg.sender);
    }

    /// @dev A claim of `epoch` needs it ended and its emission final (a checkpoint after its end).
    function _checkpointFor(uint256 epoch) private {
        uint256 current = _epochOf(block.timestamp);
        if (epoch >= current) revert EpochNotEnded(epoch, current);
        State memory state = _state;
        if (_epochOf(state.lastCheckpoint) != current) _checkpoint(state);
    }

    /// @dev Attributes the accrual since `last` (in epoch L) up to now (in a later epoch C); see the contract's rules.
    function _checkpoint(State memory state) private {
        uint256 now_ = block.timestamp;
        uint256 last = state.lastCheckpoint;
        uint256 lastEpoch = _epochOf(last);
        uint256 accrued;
        (accrued,) = _splitter.accrual(BUCKET, address(this));
        uint256 done = state.accounted;
        // the accrual of an account never falls; a splitter that broke that would attribute nothing new
        uint256 amount = accrued > done ? accrued - done : 0;
        uint256 toLast = 0;
        uint256 toCurrent = 0;
        if (amount != 0) {
            uint256 total = _splitter.periodReward(last, now_);
            if (total == 0) {
                toCurrent = amount; // no curve emission in the range (an accrual taken over, or the curve's end)
            } else {
                uint256 endLast = epochStart + (lastEpoch + 1) * epochLength;
                uint256 startCurrent = epochStart + _epochOf(now_) * epochLength;
                toLast = Math.mulDiv(amount, _splitter.periodReward(last, endLast), total);
                toCurrent = Math.mulDiv(amount, _splitter.periodReward(startCurrent, now_), total);
            }
        }
        // toLast + toCurrent <= amount: the two ranges are disjoint parts of [last, now)
        uint256 protection = amount - toLast - toCurrent;
        Epoch storage previous = _epochs[lastEpoch];
        if (previous.totalValue == 0) {
            protection += previous.emission + toLast; // an epoch without work: all of it to protection
            previous.emission = 0;
        } else if (toLast != 0) {
            previous.emission += uint96(toLast); // every emission is below the curve's total < 2^96
        }
        if (toCurrent != 0) _epochs[_epochOf(now_)].emission += uint96(toCurrent);
        if (protection != 0) protectionOwed += protection;
        // accrued is below the curve's total < 2^96; now fits 40 bits (the constructor bounds epochStart likewise)
        _state = State(uint40(now_), state.rebateCap, uint96(done + amount));
        emit Checkpointed(lastEpoch, now_, previous.emission, protection);
    }

    /// @dev Settles `provider`'s work in the ended, checkpointed `epoch`: its share, paid up to its cap; the rest of
    ///      the share and, at the epoch's last claim, its rounding dust are returned as held back.
    function _settle(address provider, uint256 epoch) private returns (uint256 reward, uint256 heldBack) {
        Work memory work = _work[provider][epoch];
        if (work.value == 0) revert NothingToClaim(provider, epoch);
        delete _work[provider][epoch];
        Epoch storage entry = _epochs[epoch];
        uint256 emission = entry.emission;
        uint256 totalValue = entry.totalValue;
        uint256 share = Math.mulDiv(emission, work.value, totalValue);
        reward = Math.min(share, Math.mulDiv(work.fee, entry.rebateCap, feeUnit));
        heldBack = share - reward;
        uint256 distributed = entry.distributed + share; // <= emission: floors of parts of the total value
        uint32 claims = entry.claims + 1; // <= providers
        entry.distributed = uint96(distributed);
        entry.claims = claims;
        if (claims == entry.providers) heldBack += emission - distributed; // the last claim: the rounding dust
        emit RewardClaimed(provider, epoch, reward, heldBack);
    }

    /// @dev Mints `amount` from the bucket to `to`; when the splitter cannot (paused, this contract no longer its
    ///      recipient, not enough claimable), pays from what this contract holds, first claiming the bucket to
    ///      itself if it is still the recipient. Reverts (and the claim waits) if neither covers it.
    function _pay(address to, uint256 amount) private {
        if (amount == 0) return;
        try _splitter.claimTo(BUCKET, to, amount) {
            return;
        } catch {}
        bool recipient = _splitter.recipients()[BUCKET] == address(this);
        // While this contract is the bucket's recipient the guardian's pause stops every payout, including from
        // tokens anyone minted here beforehand with the splitter's permissionless `claim` (the pause is the fast
        // brake; paying from the balance is only for after the bucket has moved away).
        if (recipient && _splitter.paused(BUCKET)) revert IEmissionSplitter.BucketPaused(BUCKET);
        if (_token.balanceOf(address(this)) < amount && recipient) _splitter.claim(BUCKET);
        _token.safeTransfer(to, amount);
    }
}
