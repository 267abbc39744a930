// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IEmissionSplitter} from "./interfaces/IEmissionSplitter.sol";
import {IRewardPool} from "./interfaces/IRewardPool.sol";

/// @title RewardPool
/// @notice The second stage behind one splitter bucket: distributes that bucket's emission pro rata to weights.
///         Staking mode (the Capital bucket): weights are deposits of a deposit token. Managed mode (Code, Compute,
///         Community): a manager sets weights.
/// @dev Every interaction pulls the bucket's accrual from the splitter (`accrual`: everything the bucket ever
///      accrued to this pool, which no claim changes) into a reward-per-weight accumulator scaled by 1e18. While the
///      total weight is constant the accumulator is a function of that accrual, so it is computed, not stored: the
///      pool writes its accumulator only when the total weight changes (a checkpoint), and a claim writes only the
///      claimant's account. The division remainder is carried to the next checkpoint, so rounding favours the pool
///      and nothing is lost. Emission that accrues while the total weight is zero is forfeited to the protection
///      fund (the splitter's bucket-4 recipient, as Morpheus forfeits it): at the next checkpoint it is recorded in
///      `forfeited`, and anyone can send it there with `releaseForfeited`. No account is ever paid for time in which
///      it held no weight (Synthetix pools lose this emission; pools that queue it let the next staker take it).
///      Payouts: the splitter mints the claimant's rewards straight from the bucket (`claimTo`); tokens the pool holds
///      (minted to it by someone calling `splitter.claim`, or when governance made another address the bucket's
///      recipient) pay the rest. What the pool holds plus what the bucket can still mint to it always covers
///      everything earned. While the splitter is paused, a claim pays what the pool holds and the rest stays earned;
///      `withdraw` never depends on the splitter's state.
contract RewardPool is IRewardPool, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev Accumulator scale. The accumulator stays below 2^157: it grows by at most amount * 1e18 / totalWeight
    ///      + 1 per checkpoint, the amounts sum to less than 2^96 (the splitter's curve bound) and the total weight
    ///      is at least 1, and 2^96 * 1e18 < 2^156. An account's share of a step is floored, so an account may
    ///      receive up to weight / 1e18 + 1 wei less than its exact share per settlement, never more.
    uint256 private constant PRECISION = 1e18;
    /// @dev Bit 159 of an account's `rewardPerWeightPaid` flags rewards settled in `_settledPlusOne` (the
    ///      accumulator itself stays below 2^157).
    uint160 private constant SETTLED_FLAG = uint160(1) << 159;
    uint256 private constant MAX_WEIGHT = type(uint96).max;
    /// @dev The splitter's protection bucket, whose recipient is the sink of forfeited emission.
    uint8 private constant PROTECTION = 4;

    /// @notice The splitter whose bucket this pool distributes (fixed at deployment: the pools are deployed before
    ///         the splitter, which needs their addresses, so the deployer passes the splitter's CREATE address).
    IEmissionSplitter public immutable splitter;
    /// @notice The emission token paid out.
    IERC20 public immutable rewardToken;
    /// @notice The splitter bucket this pool is the recipient of.
    uint8 public immutable bucket;
    /// @notice Staking or managed weights.
    Mode public immutable mode;
    /// @notice The token staked (staking mode; zero otherwise).
    IERC20 public immutable depositToken;
    /// @notice Who sets weights (managed mode; zero otherwise).
    address public immutable manager;

    /// @dev The accrual and the accumulator at the last checkpoint, read together on every interaction.
    struct Checkpoint {
        uint96 accrual;
        uint160 rewardPerWeight;
    }

    /// @dev Total weight and the checkpoint's division remainder (in reward units scaled by 1e18, below the total
    ///      weight at that checkpoint), read together on every interaction.
    struct Totals {
        uint128 totalWeight;
        uint128 carry;
    }

    /// @dev One slot per account, all a repeat claim reads: its weight and the accumulator at its last settlement
    ///      (bit 159: it also has settled rewards waiting in `_settledPlusOne`).
    struct Account {
        uint96 weight;
        uint160 rewardPerWeightPaid;
    }

    /// @dev Starts at accumulator 1, not 0: only differences matter, and a non-zero slot from deployment on means
    ///      the first checkpoint does not pay for a fresh slot.
    Checkpoint private _checkpoint = Checkpoint(0, 1);
    Totals private _totals;
    mapping(address account => Account) private _accounts;
    /// @dev Rewards settled when the account's weight changed and not yet paid, plus one: read only when the
    ///      account's flag is set, and once used the slot never returns to zero (a store costs 2,900 gas, not 20,000).
    mapping(address account => uint256) private _settledPlusOne;
    /// @dev Emission accrued while the total weight was zero (recorded at checkpoints) and what of it was sent to the
    ///      sink; both below 2^96 (the splitter's curve bound), packed in one slot touched only at such checkpoints.
    struct Forfeit {
        uint128 recorded;
        uint128 released;
    }

    Forfeit private _forfeit;

    /// @param splitter_ The splitter (its address may be the CREATE address it will be deployed at).
    /// @param rewardToken_ Emission token (the splitter's token).
    /// @param bucket_ The bucket whose recipient this pool is.
    /// @param mode_ Staking or Managed.
    /// @param depositToken_ Staking mode: the staked token (not the reward token); Managed mode: zero.
    /// @param manager_ Managed mode: who sets weights; Staking mode: zero.
    constructor(
        IEmissionSplitter splitter_,
        IERC20 rewardToken_,
        uint8 bucket_,
        Mode mode_,
        IERC20 depositToken_,
        address manager_
    ) {
        bool staking = mode_ == Mode.Staking;
        if (
            address(splitter_) == address(0) || address(rewardToken_) == address(0)
                || (staking && (address(depositToken_) == address(0) || depositToken_ == rewardToken_ || manager_ != address(0)))
                || (!staking && (manager_ == address(0) || address(depositToken_) != address(0)))
        ) revert InvalidConfiguration();
        splitter = splitter_;
        rewardToken = rewardToken_;
        bucket = bucket_;
        mode = mode_;
        depositToken = depositToken_;
        manager = manager_;
    }

    // ------------------------------------------------------------------ staking mode

    /// @inheritdoc IRewardPool
    function stake(uint256 amount) external nonReentrant {
        if (mode != Mode.Staking) revert WrongMode(mode);
        if (amount == 0) revert ZeroAmount();
        _settle(msg.sender, _fold(_accrued()));
        uint256 before = depositToken.balanceOf(address(this));
        depositToken.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = depositToken.balanceOf(address(this)) - before; // fee-on-transfer tokens credit what arrived
        if (received == 0) revert ZeroAmount();
        _accounts[msg.sender].weight = _toUint96(_accounts[msg.sender].weight + received);
        _totals.totalWeight = _toUint128(_totals.totalWeight + received);
        emit Staked(msg.sender, received);
    }

    /// @inheritdoc IRewardPool
    function withdraw(uint256 amount) external nonReentrant {
        if (mode != Mode.Staking) revert WrongMode(mode);
        if (amount == 0) revert ZeroAmount();
        _settle(msg.sender, _fold(_accrued()));
        Account storage account = _accounts[msg.sender];
        uint256 weight = account.weight;
        if (weight < amount) revert InsufficientStake(msg.sender, weight, amount);
        account.weight = uint96(weight - amount); // below the old weight
        _totals.totalWeight -= uint128(amount); // amount <= weight <= totalWeight
        emit Withdrawn(msg.sender, amount);
        depositToken.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ managed mode

    /// @inheritdoc IRewardPool
    function setWeights(address[] calldata accounts, uint256[] calldata weights) external nonReentrant {
        if (mode != Mode.Managed) revert WrongMode(mode);
        if (msg.sender != manager) revert NotManager(msg.sender);
        if (accounts.length != weights.length) revert LengthMismatch(accounts.length, weights.length);
        uint256 current = _fold(_accrued());
        uint256 total = _totals.totalWeight;
        for (uint256 i = 0; i < accounts.length; ++i) {
            address who = accounts[i];
            if (who == address(0)) revert ZeroAmount();
            _settle(who, current);
            total = total - _accounts[who].weight + weights[i];
            _accounts[who].weight = _toUint96(weights[i]);
            emit WeightSet(who, weights[i]);
        }
        _totals.totalWeight = _toUint128(total);
    }

    // ------------------------------------------------------------------ rewards

    /// @inheritdoc IRewardPool
    function earned(address account) external view returns (uint256) {
        return _earned(account, _accounts[account], _rewardPerWeight(_accrued()));
    }

    /// @inheritdoc IRewardPool
    function rewardPerWeight() external view returns (uint256) {
        return _rewardPerWeight(_accrued());
    }

    /// @inheritdoc IRewardPool
    function forfeited() public view returns (uint256) {
        uint256 pending = _totals.totalWeight == 0 ? _accrued() - _checkpoint.accrual : 0;
        return _forfeit.recorded + pending;
    }

    /// @inheritdoc IRewardPool
    function sinkOwed() external view returns (uint256) {
        return forfeited() - _forfeit.released;
    }

    /// @inheritdoc IRewardPool
    function sink() public view returns (address) {
        return splitter.recipients()[PROTECTION];
    }

    /// @inheritdoc IRewardPool
    function releaseForfeited() external nonReentrant returns (uint256 paid) {
        _fold(_accrued());
        address to = sink();
        if (to == address(this)) revert SinkIsThisPool();
        Forfeit memory forfeit = _forfeit;
        uint256 owed = forfeit.recorded - forfeit.released;
        if (owed == 0) return 0;
        (, uint256 mintable) = splitter.accrual(bucket, address(this));
        uint256 minted;
        uint256 fromBalance;
        (paid, minted, fromBalance) = _split(owed, mintable);
        _forfeit.released = forfeit.released + uint128(paid); // paid <= owed <= recorded < 2^96
        emit ForfeitReleased(to, paid);
        if (minted != 0) splitter.claimTo(bucket, to, minted);
        if (fromBalance != 0) rewardToken.safeTransfer(to, fromBalance);
    }

    /// @notice Sum of all weights.
    function totalWeight() external view returns (uint256) {
        return _totals.totalWeight;
    }

    /// @notice Current weight of `account`.
    function weightOf(address account) external view returns (uint256) {
        return _accounts[account].weight;
    }

    /// @inheritdoc IRewardPool
    function claimReward() external nonReentrant returns (uint256) {
        return _claimTo(msg.sender);
    }

    /// @inheritdoc IRewardPool
    function claimRewardTo(address to) external nonReentrant returns (uint256) {
        if (to == address(0)) revert ZeroAmount();
        return _claimTo(to);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Pays the caller's rewards to `to`: minted by the splitter from what the bucket can mint to this pool,
    ///      the rest from the pool's own balance. Only a paused splitter with too little in the pool leaves a part
    ///      settled (never lost).
    function _claimTo(address to) private returns (uint256 paid) {
        (uint256 accrued, uint256 mintable) = splitter.accrual(bucket, address(this));
        Account memory entry = _accounts[msg.sender];
        uint256 current = _rewardPerWeight(accrued);
        uint256 amount = _earned(msg.sender, entry, current);
        uint256 minted;
        uint256 fromBalance;
        (paid, minted, fromBalance) = _split(amount, mintable);
        uint256 unpaid = amount - paid;
        uint160 settled = _store(msg.sender, (entry.rewardPerWeightPaid & SETTLED_FLAG) != 0, unpaid);
        // current < 2^157 (see PRECISION): it fits beside the flag
        if (entry.rewardPerWeightPaid != (uint160(current) | settled)) {
            _accounts[msg.sender].rewardPerWeightPaid = uint160(current) | settled;
        }
        if (amount == 0) return 0;
        emit RewardClaimed(msg.sender, to, paid);
        if (minted != 0) splitter.claimTo(bucket, to, minted);
        if (fromBalance != 0) rewardToken.safeTransfer(to, fromBalance);
    }

    /// @dev How `amount` is paid: minted by the bucket up to `mintable`, the rest from what the pool holds.
    function _split(uint256 amount, uint256 mintable)
        private
        view
        returns (uint256 paid, uint256 minted, uint256 fromBalance)
    {
        minted = amount < mintable ? amount : mintable;
        fromBalance = amount - minted;
        if (fromBalance != 0) {
            uint256 held = rewardToken.balanceOf(address(this));
            if (fromBalance > held) fromBalance = held;
        }
        paid = minted + fromBalance;
    }

    /// @dev Everything the bucket ever accrued to this pool (what it can mint now matters only to claims).
    function _accrued() private view returns (uint256 accrued) {
        (accrued,) = splitter.accrual(bucket, address(this));
    }

    /// @dev The accumulator for `accrued`: the checkpoint's value plus the accrual since, divided by the (constant
    ///      since then) total weight, with the checkpoint's remainder added back. With no weight, nothing is
    ///      distributed: the accrual since the checkpoint is forfeited (`forfeited`).
    function _rewardPerWeight(uint256 accrued) private view returns (uint256) {
        Totals memory totals = _totals;
        Checkpoint memory checkpoint = _checkpoint;
        if (totals.totalWeight == 0) return checkpoint.rewardPerWeight;
        uint256 scaled = (accrued - checkpoint.accrual) * PRECISION + totals.carry;
        return checkpoint.rewardPerWeight + scaled / totals.totalWeight;
    }

    /// @dev Called before the total weight changes: folds the accrual since the last checkpoint and the remainder
    ///      into the stored accumulator at the old weight (so the accumulator never moves backwards whatever the
    ///      new weight), and returns it. With no weight the accrual since the checkpoint is recorded as forfeited to
    ///      the sink and the checkpoint moves to `accrued` with the accumulator unchanged: nobody earns it.
    function _fold(uint256 accrued) private returns (uint256 current) {
        Totals memory totals = _totals;
        Checkpoint memory checkpoint = _checkpoint;
        current = checkpoint.rewardPerWeight;
        uint256 amount = accrued - checkpoint.accrual;
        if (totals.totalWeight == 0) {
            if (amount == 0) return current;
            // accrued < 2^96 (the splitter's curve bound), so the recorded total stays below 2^96 too
            _forfeit.recorded += uint128(amount);
            _checkpoint.accrual = uint96(accrued);
            emit RewardsForfeited(amount, _forfeit.recorded);
            return current;
        }
        uint256 scaled = amount * PRECISION + totals.carry;
        uint256 increase = scaled / totals.totalWeight;
        if (increase == 0 && amount == 0) return current; // nothing to fold: the remainder is below one unit
        current += increase;
        // accrued < 2^96 (the splitter's curve bound) and current < 2^157 (see PRECISION)
        _checkpoint = Checkpoint(uint96(accrued), uint160(current));
        _totals.carry = uint128(scaled % totals.totalWeight); // < totalWeight < 2^128
        emit RewardDistributed(amount, current);
    }

    /// @dev Everything `who` has earned up to accumulator `current`: its settled rewards (read only when flagged)
    ///      plus its weight times the accumulator's growth since its last settlement, floored.
    function _earned(address who, Account memory entry, uint256 current) private view returns (uint256 owed) {
        uint256 paid = entry.rewardPerWeightPaid;
        if ((paid & SETTLED_FLAG) != 0) {
            owed = _settledPlusOne[who] - 1; // a flagged account's slot holds its rewards plus one
            paid ^= SETTLED_FLAG;
        }
        owed += uint256(entry.weight) * (current - paid) / PRECISION; // < 2^96 * 2^157: no overflow
    }

    /// @dev Before `who`'s weight changes: moves what it earned up to `current` into its settled rewards.
    function _settle(address who, uint256 current) private {
        Account memory entry = _accounts[who];
        if ((entry.rewardPerWeightPaid & ~SETTLED_FLAG) == current) return; // settled at this accumulator already
        uint256 owed = _earned(who, entry, current);
        uint160 settled = _store(who, (entry.rewardPerWeightPaid & SETTLED_FLAG) != 0, owed);
        _accounts[who].rewardPerWeightPaid = uint160(current) | settled; // current < 2^157 (see PRECISION)
    }

    /// @dev Stores `owed` as `who`'s settled rewards (`wasSettled`: the slot held some) and returns the flag to keep.
    function _store(address who, bool wasSettled, uint256 owed) private returns (uint160 flag) {
        if (owed != 0) {
            _settledPlusOne[who] = owed + 1;
            return SETTLED_FLAG;
        }
        if (wasSettled) _settledPlusOne[who] = 1;
        return 0;
    }

    function _toUint96(uint256 weight) private pure returns (uint96) {
        if (weight > MAX_WEIGHT) revert WeightTooLarge(weight, MAX_WEIGHT);
        return uint96(weight);
    }

    function _toUint128(uint256 total) private pure returns (uint128) {
        if (total > type(uint128).max) revert WeightTooLarge(total, type(uint128).max);
        return uint128(total);
    }
}
