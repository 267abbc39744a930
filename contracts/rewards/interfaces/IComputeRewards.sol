// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEmissionRecipient} from "../../emission/interfaces/IEmissionRecipient.sol";

/// @title IComputeRewards
/// @notice The Compute bucket's recipient: pays the bucket's emission to providers in proportion to the value of
///         compute they delivered and that can no longer be disputed away (reported by the marketplace's
///         ProviderRegistry at `finalize` and at a ruling the provider won), per epoch, each provider's reward capped
///         at `rebateCap` times the fees it paid in the epoch. What the cap holds back, rounding dust and epochs
///         without work go to the protection fund (the splitter's protection-bucket recipient).
interface IComputeRewards is IEmissionRecipient {
    /// @notice The bucket's accrual up to `time` was attributed: `emission` to `epoch` (which ended, or is the
    ///         current one) and `protection` (epochs without work) to the protection fund.
    event Checkpointed(uint256 indexed epoch, uint256 time, uint256 emission, uint256 protection);
    /// @notice `provider` claimed `epoch`: `reward` paid to it, `heldBack` (above its cap) credited to protection.
    event RewardClaimed(address indexed provider, uint256 indexed epoch, uint256 reward, uint256 heldBack);
    /// @notice `amount` credited to protection was paid to the protection fund `fund`.
    event ProtectionReleased(address indexed fund, uint256 amount);
    /// @notice Governance proposed `rebateCap`, executable from `eta` until `eta + GRACE_PERIOD`.
    event RebateCapProposed(uint256 rebateCap, uint256 eta);
    /// @notice The rebate cap is now `rebateCap` (epochs whose first work is reported from now on use it).
    event RebateCapSet(uint256 rebateCap);
    /// @notice Governance withdrew the pending cap proposal.
    event RebateCapCancelled();

    /// @notice Only the ProviderRegistry reports work.
    error NotReporter(address caller);
    /// @notice Only the splitter's governance may do this.
    error NotGovernance(address caller);
    /// @notice A constructor parameter is zero or out of range.
    error InvalidParameter();
    /// @notice Epoch `epoch` has not ended (the current one is `current`).
    error EpochNotEnded(uint256 epoch, uint256 current);
    /// @notice `provider` has nothing to claim in `epoch` (no work there, or claimed already).
    error NothingToClaim(address provider, uint256 epoch);
    /// @notice Nothing is credited to protection.
    error NothingToRelease();
    /// @notice The cap is above `MAX_REBATE_CAP`.
    error CapTooLarge(uint256 cap, uint256 maximum);
    /// @notice Nothing is proposed.
    error NoProposal();
    /// @notice A proposal executable from `eta` is still live: cancel it first.
    error ProposalPending(uint256 eta);
    /// @notice The proposal can be executed from `eta`.
    error TimelockNotElapsed(uint256 eta);
    /// @notice The proposal expired at `expiry`: propose again.
    error ProposalExpired(uint256 expiry);
    /// @notice An amount does not fit its 128-bit field.
    error AmountTooLarge(uint256 amount);

    /// @notice An epoch's figures. `rebateCap` is the cap in force when its first work was reported; `providers`
    ///         how many providers reported work in it; `emission` is what the epoch has been attributed so far
    ///         (final once a checkpoint happened after its end); `distributed` is what its claims took (rewards and
    ///         held-back parts); `claims` how many providers claimed.
    struct EpochInfo {
        uint256 totalValue;
        uint256 rebateCap;
        uint256 providers;
        uint256 emission;
        uint256 distributed;
        uint256 claims;
    }

    /// @notice Registry only: records `value` of finalized compute and the `fee` paid for it (both in stake-token
    ///         units) for `provider` in the current epoch. Constant gas.
    function reportWork(address provider, uint256 value, uint256 fee) external;

    /// @notice Attributes the bucket's accrual since the last checkpoint, if an epoch boundary passed since then;
    ///         anyone may call (reports and claims do it when needed).
    function checkpoint() external;

    /// @notice Pays the caller its reward for the ended `epoch` (constant gas) and credits the part above its cap
    ///         to protection. Returns the reward.
    function claim(uint256 epoch) external returns (uint256 reward);

    /// @notice `claim` for each epoch of `epochs` (constant gas per epoch); returns the total reward.
    function claimMany(uint256[] calldata epochs) external returns (uint256 reward);

    /// @notice Pays everything credited to protection to the splitter's protection-bucket recipient; anyone may call.
    function releaseProtection() external returns (uint256 amount);

    /// @notice What `provider` would receive and what would be held back if it claimed `epoch` now (final once the
    ///         epoch has ended and been checkpointed).
    function pendingReward(address provider, uint256 epoch) external view returns (uint256 reward, uint256 heldBack);

    /// @notice The epoch containing `block.timestamp` (0 before `epochStart`).
    function currentEpoch() external view returns (uint256);

    /// @notice An epoch's figures.
    function epochInfo(uint256 epoch) external view returns (EpochInfo memory);

    /// @notice `provider`'s unclaimed value and fees in `epoch` (zero once claimed).
    function workOf(address provider, uint256 epoch) external view returns (uint256 value, uint256 fee);

    /// @notice Governance proposes a new rebate cap (emission-token wei per whole stake token of fee, so
    ///         `CAP_UNIT` is one emission token per stake token), executable after the splitter's timelock delay for
    ///         `GRACE_PERIOD`.
    function proposeRebateCap(uint256 newCap) external;

    /// @notice Installs the proposed cap once its delay has passed and before it expires; anyone may call.
    function executeRebateCap() external;

    /// @notice Governance withdraws the pending cap proposal.
    function cancelRebateCap() external;
}
