// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IEmissionSplitter
/// @notice One decreasing emission curve split into five buckets (0 Capital, 1 Code, 2 Compute, 3 Community,
///         4 Protection), exact to the wei: at every moment the sum over buckets of claimed + claimable equals
///         `totalEmitted()`.
interface IEmissionSplitter {
    /// @notice `amount` of bucket `bucket` was claimed by (or for) its recipient `recipient` and minted to `to` (a
    ///         reward pool names its claimant; otherwise `to == recipient`).
    event Claimed(uint8 indexed bucket, address indexed recipient, address indexed to, uint256 amount);
    /// @notice New shares were proposed, executable from `eta` (as stored) until `eta` + the grace period.
    event SharesProposed(uint16[5] shares, uint256 eta);
    /// @notice The proposed shares took effect; everything before this moment was settled at the old shares.
    event SharesExecuted(uint16[5] shares);
    /// @notice The share proposal was cancelled.
    event SharesCancelled();
    /// @notice A new recipient for `bucket` was proposed, executable from `eta`; `forfeitUnclaimed`: the handover
    ///         mode (false: the unclaimed amount is paid to the previous recipient; true: it goes to the protection
    ///         bucket).
    event RecipientProposed(uint8 indexed bucket, address indexed recipient, uint256 eta, bool forfeitUnclaimed);
    /// @notice `bucket` now pays `recipient`. Keep mode: what had accrued was paid to `previous` first and
    ///         `forfeited` is 0. Forfeit mode: `previous` received nothing more and `forfeited` (what it had not
    ///         claimed) moved to the protection bucket (for the protection bucket itself: to `recipient`).
    event RecipientExecuted(uint8 indexed bucket, address indexed previous, address indexed recipient, uint256 forfeited);
    /// @notice The recipient proposal of `bucket` was cancelled.
    event RecipientCancelled(uint8 indexed bucket);
    /// @notice Claims of `bucket` were paused or unpaused by `account`.
    event ClaimsPaused(uint8 indexed bucket, address indexed account, bool paused);
    /// @notice The guardian changed.
    event GuardianSet(address indexed guardian);

    /// @notice `bucket` is not 0..4.
    error InvalidBucket(uint8 bucket);
    /// @notice Shares must sum to 10,000 basis points.
    error InvalidShares(uint256 sum);
    /// @notice A recipient, the token or governance cannot be the zero address.
    error ZeroAddress();
    /// @notice The curve parameters are invalid (zero interval, reward or decrease).
    error InvalidCurve();
    /// @notice The whole curve would mint `total`, more than the token's cap `cap` (or than 2^96 - 1).
    error CurveExceedsCap(uint256 total, uint256 cap);
    /// @notice The token's minter is `minter`, not this splitter.
    error NotTokenMinter(address minter);
    /// @notice The timelock delay is outside [minimum, maximum].
    error DelayOutOfRange(uint256 delay, uint256 minimum, uint256 maximum);
    /// @notice A proposal executable from `eta` is still live: cancel it first.
    error ProposalPending(uint256 eta);
    /// @notice The proposal expired at `expiry` (its eta plus the grace period): propose again.
    error ProposalExpired(uint256 expiry);
    /// @notice `recipient` is an emission recipient built for another splitter, bucket or token than `bucket` here.
    error RecipientMismatch(uint8 bucket, address recipient);
    /// @notice Forfeit mode was asked for while `recipient`, the current recipient of `bucket`, is an emission
    ///         recipient contract (a pool): its users earned the unclaimed amount; propose keep mode.
    error UnclaimedOwedToPool(uint8 bucket, address recipient);
    /// @notice Renouncing governance is disabled.
    error RenounceDisabled();
    /// @notice Nothing is proposed.
    error NoProposal();
    /// @notice The proposal can be executed from `eta`.
    error TimelockNotElapsed(uint256 eta);
    /// @notice Only the guardian (or governance, to unpause) may do this.
    error NotGuardian(address caller);
    /// @notice Claims of `bucket` are paused.
    error BucketPaused(uint8 bucket);
    /// @notice Only `bucket`'s current recipient may do this.
    error NotRecipient(uint8 bucket, address caller);
    /// @notice `requested` is more than the bucket's claimable `available`.
    error ExceedsClaimable(uint256 requested, uint256 available);

    /// @notice Emission in [from, to) = E(to) - E(from), E being the floored cumulative emission; constant gas for
    ///         any range; zero before `start` and after the curve ends. It lies strictly within one wei of the exact
    ///         integral over [from, to) (it may exceed it by less than one wei when `from` falls mid-interval), never
    ///         exceeds it when `from <= start`, and pieces of a range sum exactly to the whole.
    function periodReward(uint256 from, uint256 to) external view returns (uint256);

    /// @notice Emission from `start` until now.
    function totalEmitted() external view returns (uint256);

    /// @notice The bucket's entitlement not yet claimed (exact to the wei: the five sum with `claimed` to
    ///         `totalEmitted()`). For the protection bucket this includes rounding dust (< 4 wei) that `claim` pays
    ///         only when the epoch or the curve ends; `claimableNow` is what `claim` would pay now.
    function claimable(uint8 bucket) external view returns (uint256);

    /// @notice Exactly what `claim(bucket)` would mint now: `claimable` minus the protection bucket's running dust,
    ///         and zero while the bucket is paused.
    function claimableNow(uint8 bucket) external view returns (uint256);

    /// @notice The bucket's current emission rate in wei per second (the current interval's reward times its share,
    ///         floored); zero before `start` and after the curve ends.
    function emissionRate(uint8 bucket) external view returns (uint256);

    /// @notice Ever claimed by `bucket`.
    function claimed(uint8 bucket) external view returns (uint256);

    /// @notice Current shares in basis points.
    function shares() external view returns (uint16[5] memory);

    /// @notice Current recipients.
    function recipients() external view returns (address[5] memory);

    /// @notice Mints `bucket`'s accrued emission to its recipient; anyone may call. Returns the amount.
    function claim(uint8 bucket) external returns (uint256);

    /// @notice The bucket's current recipient mints `amount` of its claimable emission to `to` (a reward pool pays
    ///         its users this way, without holding the tokens first).
    function claimTo(uint8 bucket, address to, uint256 amount) external;

    /// @notice Everything `bucket` has accrued to `account` over all its tenures as recipient, claimed or not (no
    ///         claim changes it), and what the bucket could mint now if `account` is its current recipient (zero
    ///         otherwise and while claims are paused).
    function accrual(uint8 bucket, address account) external view returns (uint256 accrued, uint256 mintable);

    /// @notice Whether claims of `bucket` are paused.
    function paused(uint8 bucket) external view returns (bool);

    /// @notice What `bucket` minted to `recipient` itself while `recipient` was its recipient and an emission
    ///         recipient contract (a pool): by `claim`, `claimAll` and at a keep-mode handover away from it. Not what
    ///         it minted to others at the recipient's request (`claimTo`). A pool holds these tokens for its stakers;
    ///         anything else it holds of the token was given to it.
    function mintedToRecipient(uint8 bucket, address recipient) external view returns (uint256);

    /// @notice Whether `recipient` has been `bucket`'s recipient and answered as a pool (`splitter()`, naming this
    ///         splitter, the bucket and the token) every time it was set, so `mintedToRecipient` holds everything the
    ///         bucket minted to it itself. False for an address set before its code existed (a CREATE2-predicted
    ///         pool deployed after the handover): its mints were never recorded, so a pool must not tell its
    ///         stakers' tokens from donations by them (`RewardPool.recoverable` then recovers none of the token).
    function poolTracked(uint8 bucket, address recipient) external view returns (bool);

    /// @notice Claims every bucket that is not paused.
    function claimAll() external;

    /// @notice Governance proposes new shares (sum 10,000), executable from the timelock delay on for 14 days.
    function proposeShares(uint16[5] calldata newShares) external;

    /// @notice Applies proposed shares once the delay has passed; anyone may call.
    function executeShares() external;

    /// @notice Governance withdraws a share proposal.
    function cancelShares() external;

    /// @notice Governance proposes a new recipient for `bucket`, executable from the timelock delay on for 14 days.
    ///         The handover mode is fixed here: `forfeitUnclaimed` false pays what the bucket owes the current
    ///         recipient to it at execution (paused or not); true moves it to the protection bucket instead (the
    ///         response to a compromised recipient; refused while the current recipient is a pool).
    function proposeRecipient(uint8 bucket, address recipient, bool forfeitUnclaimed) external;

    /// @notice Applies a proposed recipient once the delay has passed (also while the bucket is paused); anyone
    ///         may call.
    function executeRecipient(uint8 bucket) external;

    /// @notice Governance withdraws a recipient proposal.
    function cancelRecipient(uint8 bucket) external;
}
