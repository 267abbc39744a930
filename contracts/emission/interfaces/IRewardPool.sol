// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IRewardPool
/// @notice Second stage behind a splitter bucket: distributes the bucket's emission pro rata to weights, either
///         staked deposits (staking mode) or weights set by a manager (managed mode).
interface IRewardPool {
    /// @notice How weights are obtained.
    enum Mode {
        Staking,
        Managed
    }

    /// @notice `payer` staked `amount` (what arrived) of the deposit token for `account`.
    event Staked(address indexed account, address indexed payer, uint256 amount);
    /// @notice `account` withdrew `amount` of its weight and `to` received `paid` of the deposit token (less than
    ///         `amount` only if the pool's balance fell below the deposits: a shared shortfall).
    event Withdrawn(address indexed account, address indexed to, uint256 amount, uint256 paid);
    /// @notice `proposer` (the manager, or governance) proposed `manager` as the next manager, acceptable from `eta`.
    event ManagerProposed(address indexed proposer, address indexed manager, uint256 eta);
    /// @notice The manager changed from `previous` to `manager`.
    event ManagerChanged(address indexed previous, address indexed manager);
    /// @notice Governance recovered `amount` of `token` (not owed to anyone) to `to`.
    event TokenRecovered(address indexed token, address indexed to, uint256 amount);
    /// @notice The manager set `account`'s weight.
    event WeightSet(address indexed account, uint256 weight);
    /// @notice `account` claimed `amount` (never 0) of rewards, sent to `to`; with `claimLockAfterClaim`, it also
    ///         locks the account's claims until this block's time plus that lock. A claim that pays nothing emits
    ///         nothing and locks nothing.
    event RewardClaimed(address indexed account, address indexed to, uint256 amount);
    /// @notice At a checkpoint (the total weight is about to change), `amount` accrued since the previous one was
    ///         added to the accumulator, which is now `rewardPerWeight`.
    event RewardDistributed(uint256 amount, uint256 rewardPerWeight);

    /// @notice `amount` accrued while nobody held weight was forfeited to the sink (`total` forfeited so far).
    event RewardsForfeited(uint256 amount, uint256 total);
    /// @notice `amount` of forfeited emission was sent to `sink` (the protection fund).
    event ForfeitReleased(address indexed sink, uint256 amount);

    /// @notice The pending manager rotation was proposed when the splitter's governance had changed `proposedUnder`
    ///         times; it has changed since (now `changes` times, even if back to the same address): propose it again.
    error RotationVoided(uint64 proposedUnder, uint64 changes);
    /// @notice Recovery would leave the pool `balance` of `token` (the deposit or reward token, perhaps through a
    ///         second address of it), less than the `owed` it must keep.
    error RecoveryTakesOwed(address token, uint256 owed, uint256 balance);
    /// @notice The function does not exist in this pool's mode.
    error WrongMode(Mode mode);
    /// @notice Only the manager may set weights (or propose, or accept, the next manager).
    error NotManager(address caller);
    /// @notice Only the splitter's governance may do this.
    error NotGovernance(address caller);
    /// @notice The deposit token says it rebases (stETH-like, aToken-like): stake its wrapped form (wstETH).
    error UnsupportedDepositToken(address token);
    /// @notice A stake would leave the account's weight at `weight`, below the minimal stake `minimum` (a
    ///         withdrawal never reverts with it: one that would leave less than the minimum takes the whole stake).
    error BelowMinimumStake(uint256 weight, uint256 minimum);
    /// @notice The caller's own last stake locks withdrawals until `unlock`.
    error WithdrawLocked(uint256 unlock);
    /// @notice The caller's own last stake or claim locks its claims (and `exit`) until `unlock`.
    error ClaimLocked(uint256 unlock);
    /// @notice The pending manager may accept only from `eta` until `eta` + the grace period.
    error ManagerNotAcceptable(uint256 eta);
    /// @notice Governance's manager rotation, acceptable from `eta`, is live: the manager cannot replace it.
    error RotationPending(uint256 eta);
    /// @notice Only `recoverable` of `token` is above what the pool owes; `amount` was asked.
    error ExceedsRecoverable(address token, uint256 amount, uint256 recoverable);
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

    /// @notice Stakes `amount` of the deposit token (staking mode); restarts the caller's withdrawal lock and claim
    ///         lock after a stake (where the pool has them).
    function stake(uint256 amount) external;

    /// @notice Stakes `amount` of the caller's deposit token for `account` (none of its locks is set or extended).
    function stakeFor(address account, uint256 amount) external;

    /// @notice Stakes with an EIP-2612 permit for the deposit token (a front-run permit does not make it fail).
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Withdraws `amount` of staked deposit (staking mode). Works whatever the splitter's state. When less
    ///         than `minStake` would remain, it withdraws the whole stake instead (the `Withdrawn` event says how much).
    function withdraw(uint256 amount) external;

    /// @notice Withdraws `amount` of the caller's stake to `to`; like `withdraw`, the whole stake when less than
    ///         `minStake` would remain.
    function withdrawTo(uint256 amount, address to) external;

    /// @notice Withdraws the caller's whole stake and claims its rewards; returns the rewards paid. Reverts with
    ///         `ClaimLocked` while its claims are locked (`withdraw` is not).
    function exit() external returns (uint256);

    /// @notice When `account` may withdraw (at or before now, or 0: now).
    function withdrawableAt(address account) external view returns (uint256);

    /// @notice When `account` may claim (at or before now, or 0: now): set by its own stake
    ///         (`claimLockAfterStake`) and by its claims that pay (`claimLockAfterClaim`), never by anyone else.
    function claimableAt(address account) external view returns (uint256);

    /// @notice The manager, or the splitter's governance (after its timelock delay: a lost manager key), proposes
    ///         the next manager. A new proposal replaces the pending one (each emits `ManagerProposed`), except
    ///         that the manager cannot replace governance's while it is live (a compromised manager cannot block
    ///         its own rotation).
    function proposeManager(address newManager) external;

    /// @notice The proposed manager accepts, from the proposal's eta until 14 days later, and only while the
    ///         splitter's governance is the one under which it was proposed (a governance handover voids it).
    function acceptManager() external;

    /// @notice What governance may recover of `token`: all of a foreign token; of the deposit token, the balance
    ///         above the deposits; of the reward token, the balance above what the pool owes from it (what the bucket
    ///         minted to the pool, `mintedToRecipient`, less what the pool paid from its balance): a transfer by
    ///         mistake, never what stakers or the sink are owed.
    function recoverable(IERC20 token) external view returns (uint256);

    /// @notice Reward tokens the pool paid from its own balance (claims and forfeit releases the bucket could not
    ///         mint in full): `recoverable(rewardToken)` is the balance above `mintedToRecipient` less this.
    function paidFromBalance() external view returns (uint256);

    /// @notice Governance (the splitter's owner) sends `amount` of `token`, at most `recoverable(token)`, to `to`;
    ///         `amount == type(uint256).max` sends all that is recoverable at that moment (reverts `ZeroAmount` if
    ///         none), so a claim paid from the balance just before cannot make the recovery revert.
    ///         Whatever address is passed (a second address of a tracked token included), it reverts if the pool's
    ///         balance of the deposit or the reward token would fall below what it owes from it (or below what it
    ///         held, if less).
    function recoverToken(IERC20 token, address to, uint256 amount) external;

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
    ///         anyone may call. Returns what was sent (while the pool's bucket is paused, only what the pool holds; while the
    ///         protection bucket is paused, nothing: the amount stays owed to whoever is its recipient later).
    function releaseForfeited() external returns (uint256);

    /// @notice Sends the caller's rewards to the caller; returns what was paid (while the splitter is paused, only
    ///         what the pool holds is paid and the rest stays earned). Reverts with `ClaimLocked(unlock)` while the
    ///         caller's claims are locked (`claimableAt`); a claim that pays something starts the claim lock after a
    ///         claim, one that pays nothing does not (and emits no `RewardClaimed`).
    function claimReward() external returns (uint256);

    /// @notice Sends the caller's rewards to `to`, as `claimReward` (the same `ClaimLocked` rule).
    function claimRewardTo(address to) external returns (uint256);
}
