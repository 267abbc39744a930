// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProviderRegistry
/// @notice The marketplace's provider side: registration, stake (free, locked as lease collateral, pending
///         withdrawal) and value-weighted reputation. Deployed by the `ComputeMarketplace`, which alone locks,
///         releases and slashes collateral and records lease outcomes.
interface IProviderRegistry {
    /// @notice How a lease ended for its provider, as recorded in its reputation.
    enum Outcome {
        Finalized, // ran to the end (or was closed) and was finalized or confirmed by the client
        DisputeWon, // the arbiter gave the client at most half of the frozen earnings and no slash
        DisputeLost, // the arbiter gave the client more than half, or slashed
        TimedOut // the arbiter did not rule: the client was refunded the frozen earnings, no slash
    }

    /// @notice A provider's stake and reputation, as a front end shows them. `valueFinalized` is in stake-token
    ///         units (each lease's delivered value at the collateral rate snapshotted when it opened).
    struct ProviderInfo {
        bool registered;
        uint256 freeStake;
        uint256 lockedStake;
        uint256 pendingStake;
        uint64 unlockAt;
        uint32 leasesCompleted;
        uint32 disputesLost;
        uint32 disputesWon;
        uint256 totalSlashed;
        uint256 valueFinalized;
        string metadataURI;
    }

    /// @notice `provider` registered or changed its metadata URI.
    event ProviderRegistered(address indexed provider, string metadataURI);
    /// @notice `provider` deposited `amount` of stake (what arrived).
    event StakeDeposited(address indexed provider, uint256 amount);
    /// @notice `provider` moved `amount` of free stake to pending; all pending stake unlocks at `unlockAt`.
    event UnstakeRequested(address indexed provider, uint256 amount, uint64 unlockAt);
    /// @notice `provider` moved its pending stake of `amount` back to free stake.
    event UnstakeCancelled(address indexed provider, uint256 amount);
    /// @notice `provider` withdrew `amount` of pending stake, sent to `recipient`.
    event StakeWithdrawn(address indexed provider, address indexed recipient, uint256 amount);
    /// @notice A lease that was stopped early returned `amount` of `provider`'s locked stake to its free stake (the
    ///         collateral of the refunded part).
    event CollateralUnlocked(address indexed provider, uint256 amount);
    /// @notice A lease released `collateral` of `provider`'s locked stake, `slashed` of it sent to the
    ///         marketplace for the client; `value` (stake-token units) was added to its reputation for `outcome`,
    ///         and with `fee` (the lease's fee on it, same units) reported to the Compute rewards contract when the
    ///         outcome is Finalized or DisputeWon with a non-zero value (unless `RewardsReportFailed` follows).
    event LeaseOutcome(
        address indexed provider, uint256 collateral, uint256 slashed, uint256 value, uint256 fee, Outcome indexed outcome
    );

    /// @notice The Compute rewards contract was set (once) to `rewards`.
    event RewardsSet(address indexed rewards);
    /// @notice The rewards contract refused or failed the report of `provider`'s `value` and `fee`; the release went
    ///         on (reputation recorded it, rewards did not).
    event RewardsReportFailed(address indexed provider, uint256 value, uint256 fee);

    /// @notice Only the marketplace's owner may do this.
    error NotMarketplaceOwner(address caller);
    /// @notice The rewards contract is set already, to `rewards`.
    error RewardsAlreadySet(address rewards);
    /// @notice `rewards` does not name this registry as its reporter.
    error RewardsMismatch(address rewards);
    /// @notice The call was given `available` gas where the rewards report needs `required`: send more gas (a
    ///         finalize can never be made to skip the report by starving it).
    error InsufficientGasForRewards(uint256 available, uint256 required);
    /// @notice A zero amount.
    error InvalidParameter();
    /// @notice `account` is not a registered provider.
    error NotRegistered(address account);
    /// @notice `requested` exceeds the provider's free stake `free`.
    error InsufficientStake(uint256 free, uint256 requested);
    /// @notice Pending stake unlocks at `unlockAt`.
    error CooldownActive(uint64 unlockAt);
    /// @notice There is no pending stake.
    error NothingPending();
    /// @notice Only the marketplace that deployed the registry may call.
    error NotMarketplace(address caller);
    /// @notice The stake would not fit 128 bits.
    error AmountTooLarge(uint256 amount);
    /// @notice The marketplace is paused (stake deposits are inflows).
    error EnforcedPause();

    /// @notice Registers the caller as a provider, or updates its metadata URI.
    function registerProvider(string calldata metadataURI) external;

    /// @notice Adds `amount` of the stake token to the caller's free stake (what arrives is credited).
    function depositStake(uint256 amount) external;

    /// @notice Moves `amount` of free stake to pending and (re)starts the cooldown for all pending stake.
    function requestUnstake(uint256 amount) external;

    /// @notice Moves all pending stake back to free stake.
    function cancelUnstake() external;

    /// @notice Sends the caller its pending stake once the cooldown has passed.
    function withdrawStake() external returns (uint256 amount);

    /// @notice Sends the caller's pending stake to `recipient` once the cooldown has passed (for a provider the
    ///         stake token will not pay, e.g. blocklisted).
    function withdrawStakeTo(address recipient) external returns (uint256 amount);

    /// @notice Marketplace only: locks `amount` of `provider`'s free stake as collateral.
    function lock(address provider, uint256 amount) external;

    /// @notice Marketplace only: returns `amount` of `provider`'s locked stake to its free stake (a lease stopped
    ///         early keeps only the collateral of what it still holds).
    function unlock(address provider, uint256 amount) external;

    /// @notice Marketplace only: unlocks `collateral`, sends `slash` of it to the marketplace and records the
    ///         lease's outcome with its `value` in stake-token units; finalized work (Finalized or DisputeWon with a
    ///         non-zero value) is also reported with its `fee` (same units) to the Compute rewards contract, whose
    ///         failure never blocks the release.
    function release(address provider, uint256 collateral, uint256 slash, uint256 value, uint256 fee, Outcome outcome)
        external;

    /// @notice The marketplace's owner sets the Compute rewards contract, once (it must name this registry as its
    ///         reporter).
    function setRewards(address rewards_) external;

    /// @notice The Compute rewards contract finalized work is reported to (zero: none yet).
    function rewards() external view returns (address);

    /// @notice A provider's stake and reputation.
    function providerInfo(address provider) external view returns (ProviderInfo memory);

    /// @notice Whether `account` is a registered provider.
    function isRegistered(address account) external view returns (bool);

    /// @notice Everything the registry holds for providers (free, locked and pending stake).
    function totalStake() external view returns (uint256);
}
