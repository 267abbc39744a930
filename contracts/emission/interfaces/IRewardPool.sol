// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRewardPool
/// @notice Second stage behind a splitter bucket: distributes the bucket's emission pro rata to weights, either
///         staked deposits (staking mode) or weights set by a manager (managed mode).
interface IRewardPool {
    /// @notice How weights are obtained.
    enum Mode {
        Staking,
        Managed
    }

    /// @notice `account` staked `amount` (what arrived) of the deposit token.
    event Staked(address indexed account, uint256 amount);
    /// @notice `account` withdrew `amount` of the deposit token.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice The manager set `account`'s weight.
    event WeightSet(address indexed account, uint256 weight);
    /// @notice `account` claimed `amount` of rewards, sent to `to`.
    event RewardClaimed(address indexed account, address indexed to, uint256 amount);
    /// @notice At a checkpoint (the total weight is about to change), `amount` accrued since the previous one was
    ///         added to the accumulator, which is now `rewardPerWeight`.
    event RewardDistributed(uint256 amount, uint256 rewardPerWeight);

    /// @notice `amount` accrued while nobody held weight was forfeited to the sink (`total` forfeited so far).
    event RewardsForfeited(uint256 amount, uint256 total);
    /// @notice `amount` of forfeited emission was sent to `sink` (the protection fund).
    event ForfeitReleased(address indexed sink, uint256 amount);

    /// @notice This pool is the protection bucket's recipient itself: forfeited emission has nowhere else to go.
    error SinkIsThisPool();
    /// @notice The function does not exist in this pool's mode.
    error WrongMode(Mode mode);
    /// @notice Only the manager may set weights.
    error NotManager(address caller);
    /// @notice Zero amount or zero address.
    error ZeroAmount();
    /// @notice `account` has only `weight` staked.
    error InsufficientStake(address account, uint256 weight, uint256 requested);
    /// @notice The two arrays differ in length.
    error LengthMismatch(uint256 accounts, uint256 weights);
    /// @notice Constructor arguments are inconsistent.
    error InvalidConfiguration();
    /// @notice An account's weight, or the total, would exceed `max` (2^96 - 1 per account, 2^128 - 1 in total).
    error WeightTooLarge(uint256 weight, uint256 max);

    /// @notice Stakes `amount` of the deposit token (staking mode).
    function stake(uint256 amount) external;

    /// @notice Withdraws `amount` of staked deposit (staking mode). Works whatever the splitter's state.
    function withdraw(uint256 amount) external;

    /// @notice Sets weights (managed mode, manager only).
    function setWeights(address[] calldata accounts, uint256[] calldata weights) external;

    /// @notice Rewards earned by `account` and not yet claimed, up to this second.
    function earned(address account) external view returns (uint256);

    /// @notice Accumulated reward per unit of weight up to this second, scaled by 1e18 (it starts at 1).
    function rewardPerWeight() external view returns (uint256);

    /// @notice Everything this pool accrued while nobody held weight, up to this second: forfeited to the sink (no
    ///         account is paid for time in which it held no weight).
    function forfeited() external view returns (uint256);

    /// @notice Forfeited emission not yet sent to the sink.
    function sinkOwed() external view returns (uint256);

    /// @notice Where forfeited emission goes: the splitter's protection-bucket (4) recipient, read at release time.
    function sink() external view returns (address);

    /// @notice Sends the forfeited emission owed to the sink (minted by the bucket, or from what the pool holds);
    ///         anyone may call. Returns what was sent (while the splitter is paused, only what the pool holds).
    function releaseForfeited() external returns (uint256);

    /// @notice Sends the caller's rewards to the caller; returns what was paid (while the splitter is paused, only
    ///         what the pool holds is paid and the rest stays earned).
    function claimReward() external returns (uint256);

    /// @notice Sends the caller's rewards to `to`, as `claimReward`.
    function claimRewardTo(address to) external returns (uint256);
}
