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
///      accrued to this pool, which no claim changes) into a reward-per-weight accumulator scaled by 1e36. While the
///      total weight is constant the accumulator is a function of that accrual, so it is computed, not stored: the
///      pool writes its accumulator only when the total weight changes (a checkpoint), and a claim writes only the
///      claimant's account. The division remainder is carried to the next checkpoint, so rounding favours the pool
///      and nothing is lost. Emission that accrues while the total weight is zero is not distributed until weight
///      becomes non-zero, and then goes to the weight holders (Synthetix pools lose it).
///      Payouts: the splitter mints the claimant's rewards straight from the bucket (`claimTo`); tokens the pool holds
///      (minted to it by someone calling `splitter.claim`, or when governance made another address the bucket's
///      recipient) pay the rest. What the pool holds plus what the bucket can still mint to it always covers
///      everything earned. While the splitter is paused, a claim pays what the pool holds and the rest stays earned;
///      `withdraw` never depends on the splitter's state.
contract RewardPool is IRewardPool, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant PRECISION = 1e36;

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
    address private immutable _deployer;

    /// @dev The splitter (fixed once by the deployer: it is deployed after its pools, which are its recipients) and
    ///      the accrual at the last checkpoint, read together on every interaction (accrual < 2^96: the splitter
    ///      refuses curves above that).
    struct Source {
        IEmissionSplitter splitter;
        uint96 checkpointAccrual;
    }

    /// @dev Total weight and the checkpoint's division remainder (in reward units scaled by 1e36, below the total
    ///      weight at that checkpoint), read together on every interaction. Weights are below 2^128 (checked).
    struct Totals {
        uint128 totalWeight;
        uint128 carry;
    }

    /// @dev Weight and unclaimed rewards share a slot (both below 2^128).
    struct Account {
        uint128 weight;
        uint128 rewards;
        uint256 rewardPerWeightPaid;
    }

    Source private _source;
    Totals private _totals;
    /// @dev Accumulated reward per unit of weight at the last checkpoint, scaled by 1e36. Starts at 1, not 0: only
    ///      differences matter, and a non-zero start means no account's settlement ever writes a fresh slot (a
    ///      zero-to-non-zero store costs 20,000 gas instead of 2,900).
    uint256 private _checkpointRewardPerWeight = 1;
    mapping(address account => Account) private _accounts;

    /// @param rewardToken_ Emission token.
    /// @param bucket_ The bucket whose recipient this pool is.
    /// @param mode_ Staking or Managed.
    /// @param depositToken_ Staking mode: the staked token (not the reward token); Managed mode: zero.
    /// @param manager_ Managed mode: who sets weights; Staking mode: zero.
    constructor(
        IERC20 rewardToken_,
        uint8 bucket_,
        Mode mode_,
        IERC20 depositToken_,
        address manager_
    ) {
        bool staking = mode_ == Mode.Staking;
        if (
            address(rewardToken_) == address(0)
                || (staking && (address(depositToken_) == address(0) || depositToken_ == rewardToken_ || manager_ != address(0)))
                || (!staking && (manager_ == address(0) || address(depositToken_) != address(0)))
        ) revert InvalidConfiguration();
        rewardToken = rewardToken_;
        _deployer = msg.sender;
        bucket = bucket_;
        mode = mode_;
        depositToken = depositToken_;
        manager = manager_;
    }

    /// @notice Fixes the splitter; once, by the deployer.
    function setSplitter(IEmissionSplitter splitter_) external {
        if (msg.sender != _deployer) revert NotDeployer(msg.sender);
        if (address(_source.splitter) != address(0)) revert SplitterAlreadySet(address(_source.splitter));
        if (address(splitter_) == address(0)) revert InvalidConfiguration();
        _source.splitter = splitter_;
        emit SplitterSet(address(splitter_));
    }

    // ------------------------------------------------------------------ staking mode

    /// @inheritdoc IRewardPool
    function stake(uint256 amount) external nonReentrant {
        if (mode != Mode.Staking) revert WrongMode(mode);
        if (amount == 0) revert ZeroAmount();
        (uint256 accrued,) = _accrual();
        _settle(msg.sender, _checkpoint(accrued));
        uint256 before = depositToken.balanceOf(address(this));
        depositToken.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = depositToken.balanceOf(address(this)) - before; // fee-on-transfer tokens credit what arrived
        if (received == 0) revert ZeroAmount();
        _accounts[msg.sender].weight += _toUint128(received);
        _totals.totalWeight += _toUint128(received);
        emit Staked(msg.sender, received);
    }

    /// @inheritdoc IRewardPool
    function withdraw(uint256 amount) external nonReentrant {
        if (mode != Mode.Staking) revert WrongMode(mode);
        if (amount == 0) revert ZeroAmount();
        (uint256 accrued,) = _accrual();
        _settle(msg.sender, _checkpoint(accrued));
        Account storage account = _accounts[msg.sender];
        if (account.weight < amount) revert InsufficientStake(msg.sender, account.weight, amount);
        account.weight -= uint128(amount); // amount <= weight < 2^128
        _totals.totalWeight -= uint128(amount);
        emit Withdrawn(msg.sender, amount);
        depositToken.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ managed mode

    /// @inheritdoc IRewardPool
    function setWeights(address[] calldata accounts, uint256[] calldata weights) external nonReentrant {
        if (mode != Mode.Managed) revert WrongMode(mode);
        if (msg.sender != manager) revert NotManager(msg.sender);
        if (accounts.length != weights.length) revert LengthMismatch(accounts.length, weights.length);
        (uint256 accrued,) = _accrual();
        uint256 current = _checkpoint(accrued);
        uint256 total = _totals.totalWeight;
        for (uint256 i = 0; i < accounts.length; ++i) {
            address who = accounts[i];
            if (who == address(0)) revert ZeroAmount();
            _settle(who, current);
            total = total - _accounts[who].weight + weights[i];
            _accounts[who].weight = _toUint128(weights[i]);
            emit WeightSet(who, weights[i]);
        }
        _totals.totalWeight = _toUint128(total);
    }

    // ------------------------------------------------------------------ rewards

    /// @inheritdoc IRewardPool
    function earned(address account) external view returns (uint256) {
        (uint256 accrued,) = _accrual();
        return _earned(_accounts[account], _rewardPerWeight(accrued));
    }

    /// @inheritdoc IRewardPool
    /// @dev Starts at 1 (see `_checkpointRewardPerWeight`).
    function rewardPerWeight() external view returns (uint256) {
        (uint256 accrued,) = _accrual();
        return _rewardPerWeight(accrued);
    }

    /// @inheritdoc IRewardPool
    function queuedRewards() external view returns (uint256) {
        if (_totals.totalWeight != 0) return 0;
        (uint256 accrued,) = _accrual();
        return accrued - _source.checkpointAccrual;
    }

    /// @notice The splitter this pool pulls from (zero until the deployer sets it).
    function splitter() external view returns (IEmissionSplitter) {
        return _source.splitter;
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
    ///      earned (never lost).
    function _claimTo(address to) private returns (uint256 paid) {
        (uint256 accrued, uint256 mintable) = _accrual();
        Account storage account = _accounts[msg.sender];
        Account memory entry = account;
        uint256 current = _rewardPerWeight(accrued);
        uint256 amount = _earned(entry, current);
        if (entry.rewardPerWeightPaid != current) account.rewardPerWeightPaid = current;
        if (amount == 0) return 0;
        uint256 minted = amount < mintable ? amount : mintable;
        uint256 fromBalance = amount - minted;
        if (fromBalance != 0) {
            uint256 held = rewardToken.balanceOf(address(this));
            if (fromBalance > held) fromBalance = held;
        }
        paid = minted + fromBalance;
        uint256 unpaid = amount - paid;
        if (entry.rewards != unpaid) account.rewards = uint128(unpaid); // unpaid <= amount, a settled amount < 2^128
        emit RewardClaimed(msg.sender, to, paid);
        if (minted != 0) _source.splitter.claimTo(bucket, to, minted);
        if (fromBalance != 0) rewardToken.safeTransfer(to, fromBalance);
    }

    /// @dev Everything the bucket accrued to this pool, and what the splitter can mint to it now.
    function _accrual() private view returns (uint256 accrued, uint256 mintable) {
        Source memory source = _source;
        if (address(source.splitter) == address(0)) return (0, 0);
        return source.splitter.accrual(bucket, address(this));
    }

    /// @dev The accumulator for `accrued`: the checkpoint's value plus the accrual since, divided by the (constant
    ///      since then) total weight, with the checkpoint's remainder added back. With no weight, nothing is
    ///      distributed: the accrual waits for the next holders.
    function _rewardPerWeight(uint256 accrued) private view returns (uint256) {
        Totals memory totals = _totals;
        if (totals.totalWeight == 0) return _checkpointRewardPerWeight;
        uint256 scaled = (accrued - _source.checkpointAccrual) * PRECISION + totals.carry;
        return _checkpointRewardPerWeight + scaled / totals.totalWeight;
    }

    /// @dev Called before the total weight changes: folds the accrual since the last checkpoint and the remainder
    ///      into the stored accumulator at the old weight (so the accumulator never moves backwards whatever the
    ///      new weight), and returns it. With no weight the checkpoint stays where it was, so the accrual since then
    ///      goes to whoever holds weight next.
    function _checkpoint(uint256 accrued) private returns (uint256 current) {
        Totals memory totals = _totals;
        current = _checkpointRewardPerWeight;
        if (totals.totalWeight == 0) return current;
        uint256 amount = accrued - _source.checkpointAccrual;
        uint256 scaled = amount * PRECISION + totals.carry;
        uint256 increase = scaled / totals.totalWeight;
        if (increase == 0 && amount == 0) return current; // nothing to fold: the remainder is below one unit
        current += increase;
        _checkpointRewardPerWeight = current;
        _totals.carry = uint128(scaled % totals.totalWeight); // < totalWeight < 2^128
        if (amount != 0) _source.checkpointAccrual = uint96(accrued); // the splitter keeps accruals below 2^96
        emit RewardDistributed(amount, current);
    }

    function _earned(Account memory entry, uint256 current) private pure returns (uint256) {
        return entry.rewards + entry.weight * (current - entry.rewardPerWeightPaid) / PRECISION;
    }

    function _settle(address who, uint256 current) private {
        Account storage account = _accounts[who];
        Account memory entry = account;
        if (entry.rewardPerWeightPaid == current) return;
        account.rewards = _toUint128(_earned(entry, current));
        account.rewardPerWeightPaid = current;
    }

    function _toUint128(uint256 value) private pure returns (uint128) {
        if (value > type(uint128).max) revert InvalidConfiguration();
        return uint128(value);
    }
}
