// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IComputeMarketplaceTypes
/// @notice The marketplace's types, events and errors, shared by its pieces.
interface IComputeMarketplaceTypes {
    /// @notice Lifecycle of a lease. `Cancelled`, `Finalized` and `Resolved` are terminal and hold nothing.
    enum Status {
        None,
        Open, // escrowed, waiting for the provider's acceptance
        Active, // accepted; streaming until `end`, then waiting for `finalize`
        Disputed, // frozen, waiting for the arbiter or the arbitration timeout
        Cancelled,
        Finalized,
        Resolved
    }

    /// @notice An offer as stored.
    struct OfferView {
        address provider;
        address paymentToken;
        uint256 pricePerSecond;
        uint64 minDuration;
        uint64 maxDuration;
        bool active;
        bytes32 specHash;
        string uri;
    }

    /// @notice A lease with its derived fields. The terms stay as agreed whatever happened since: `deposit` is
    ///         everything the client paid for the lease (with top-ups; a dispute bond apart) and `end` the end of
    ///         that paid time (zero until accepted). The outcome is beside them: `stoppedAt` is when a close or a
    ///         dispute stopped the running lease (zero if it was not stopped: it ran, or runs, to `end`),
    ///         `refunded` what that stop returned to the client before any bond (the whole deposit for a
    ///         cancelled lease), `withdrawn` what the provider has been paid so far, gross of fee (at a terminal
    ///         status, all it got), so `deposit - refunded - withdrawn` is what an Active or Disputed lease still
    ///         holds and what a ruling or timeout gave the client from `frozen`. `arbiter` is the arbiter fixed when
    ///         the lease was accepted (zero before), the only one who may rule on its dispute.
    struct LeaseView {
        uint256 offerId;
        address client;
        address provider;
        address paymentToken;
        uint256 pricePerSecond;
        uint256 deposit;
        uint64 start;
        uint64 end;
        uint16 feeBps;
        Status status;
        uint256 withdrawn;
        uint256 collateral;
        uint256 frozen;
        uint64 disputedAt;
        address arbiter;
        uint256 disputeBond;
        uint256 collateralRate;
        bytes32 resultHash;
        uint64 stoppedAt;
        uint256 refunded;
    }

    // ----------------------------------------------------------------------------------------------- events


    /// @notice A new offer.
    event OfferCreated(
        uint256 indexed offerId,
        address indexed provider,
        address indexed paymentToken,
        uint256 pricePerSecond,
        uint64 minDuration,
        uint64 maxDuration,
        bytes32 specHash,
        string uri
    );
    /// @notice The offer was (de)activated.
    event OfferActiveSet(uint256 indexed offerId, bool active);
    /// @notice The offer's price for new leases changed.
    event OfferPriceSet(uint256 indexed offerId, uint256 pricePerSecond);

    /// @notice `client` escrowed `deposit` (what arrived) for a lease on `offerId` (the offer is the filter a
    ///         provider's front end needs most, so it is indexed; the provider is derivable from it).
    event LeaseOpened(
        uint256 indexed leaseId,
        address indexed client,
        uint256 indexed offerId,
        address provider,
        uint256 deposit,
        uint256 pricePerSecond,
        uint16 feeBps
    );
    /// @notice The provider accepted; the lease streams from `start` to `end` and locks `collateral`.
    event LeaseAccepted(uint256 indexed leaseId, address indexed provider, uint64 start, uint64 end, uint256 collateral);
    /// @notice The lease was cancelled before acceptance by `by`; `refund` went to the client.
    event LeaseCancelled(uint256 indexed leaseId, address indexed by, uint256 refund);
    /// @notice The client added `amount` (what arrived) to the lease, which now ends at `end`, locking `collateral` more.
    event LeaseToppedUp(uint256 indexed leaseId, address indexed client, uint256 amount, uint64 end, uint256 collateral);
    /// @notice The provider withdrew `amount` of earnings; `fee` accrued to the treasury.
    event EarningsWithdrawn(uint256 indexed leaseId, address indexed provider, uint256 amount, uint256 fee);
    /// @notice `by` ended the lease early at `end`; `refund` went to the client.
    event LeaseClosed(uint256 indexed leaseId, address indexed by, uint256 refund, uint64 end);
    /// @notice The collateral of lease `leaseId` shrank to `collateral` (that of what it still holds); `released`
    ///         went back to `provider`'s free stake.
    event CollateralReleased(uint256 indexed leaseId, address indexed provider, uint256 released, uint256 collateral);
    /// @notice The provider published the commitment `resultHash` (SHA-256 of the output).
    event ResultSubmitted(uint256 indexed leaseId, address indexed provider, bytes32 indexed resultHash);
    /// @notice The client disputed: `frozen` earnings wait for a ruling; a running lease stopped, refunding `refund`
    ///         (after the bond was held back from it). The bond is `disputeBondBps` of the larger of `frozen` and the
    ///         payment-token value of the collateral the dispute keeps locked; `bond` of it is held (from the refund,
    ///         then the client's credit, then pulled), `bondDeferred` could not be pulled and is taken from the
    ///         client's part of the frozen amount if the provider wins.
    event DisputeOpened(
        uint256 indexed leaseId,
        address indexed client,
        bytes32 reasonHash,
        uint256 frozen,
        uint256 refund,
        uint256 bond,
        uint256 bondDeferred
    );
    /// @notice The dispute ended: the client was credited `clientAmount` of the frozen earnings (after any deferred
    ///         bond taken from it) plus `slashed` stake (what arrived from the registry), the provider `providerAmount`
    ///         (before `fee`, charged on it); `byTimeout` when the arbiter did not rule in time; the `bond` (held plus
    ///         any deferred part taken) was credited to `bondTo` (the provider when it won, else the client).
    event DisputeResolved(
        uint256 indexed leaseId,
        uint256 clientAmount,
        uint256 providerAmount,
        uint256 fee,
        uint256 slashed,
        bool byTimeout,
        address bondTo,
        uint256 bond
    );
    /// @notice `by` finalized the lease: the provider got `providerAmount` (after `fee`), `collateral` unlocked.
    event LeaseFinalized(
        uint256 indexed leaseId, address indexed by, uint256 providerAmount, uint256 fee, uint256 collateral
    );
    /// @notice `amount` of `token` was credited to `account`, to withdraw with `withdrawCredit`.
    event Credited(address indexed token, address indexed account, uint256 amount);
    /// @notice `amount` of `account`'s credit in `token` was spent on its dispute bond.
    event CreditSpent(address indexed token, address indexed account, uint256 amount);
    /// @notice `account` withdrew its credit.
    event CreditWithdrawn(address indexed token, address indexed account, uint256 amount);

    /// @notice Accrued fees were paid to the treasury.
    event FeesWithdrawn(address indexed token, address indexed treasury, uint256 amount);
    /// @notice A payment token was allowed or disallowed for new offers, leases and top-ups; leases opened from
    ///         now on lock collateral at `collateralRate` (stake-token units per payment-token unit, times 1e18).
    event PaymentTokenSet(address indexed token, bool allowed, uint256 collateralRate);
    /// @notice The fee for new leases changed.
    event FeeSet(uint16 feeBps);
    /// @notice The treasury changed.
    event TreasurySet(address indexed treasury);
    /// @notice A new arbiter was proposed, effective from `eta`.
    event ArbiterProposed(address indexed arbiter, uint64 eta);
    /// @notice The pending arbiter proposal was withdrawn.
    event ArbiterProposalCancelled(address indexed arbiter);
    /// @notice The arbiter changed.
    event ArbiterSet(address indexed arbiter);
    /// @notice `from` moved its credit of `amount` in `token` to `recipient`.
    event CreditWithdrawnTo(address indexed token, address indexed from, address indexed recipient, uint256 amount);
    /// @notice Tokens sent to the contract beyond what it owes were recovered.
    event SurplusRecovered(address indexed token, address indexed to, uint256 amount);

    // ----------------------------------------------------------------------------------------------- errors

    /// @notice A zero address, zero amount, zero hash or out-of-range constructor argument.
    error InvalidParameter();
    /// @notice The fee exceeds 1,000 bps.
    error FeeTooHigh(uint256 feeBps);
    /// @notice `token` is not on the payment-token allowlist.
    error TokenNotAllowed(address token);
    /// @notice The offer does not exist.
    error UnknownOffer(uint256 offerId);
    /// @notice The lease does not exist.
    error UnknownLease(uint256 leaseId);
    /// @notice `caller` is not the offer's provider.
    error NotProvider(address caller);
    /// @notice `caller` is not the lease's client.
    error NotClient(address caller);
    /// @notice `caller` is neither the lease's client nor its provider.
    error NotParty(address caller);
    /// @notice `caller` is not the arbiter.
    error NotArbiter(address caller);
    /// @notice `caller` is not the treasury.
    error NotTreasury(address caller);
    /// @notice The offer is inactive.
    error OfferInactive(uint256 offerId);
    /// @notice The offer's price is above the client's limit (a price change landed first).
    error PriceAboveMax(uint256 pricePerSecond, uint256 maxPricePerSecond);
    /// @notice The duration is outside the offer's bounds.
    error DurationOutOfRange(uint256 duration, uint64 minDuration, uint64 maxDuration);
    /// @notice The lease is in `status`, where this action is not possible.
    error WrongStatus(uint256 leaseId, Status status);
    /// @notice The accept window ended at `deadline`.
    error AcceptWindowClosed(uint256 leaseId, uint64 deadline);
    /// @notice Only the client (or the provider) may cancel before `deadline`.
    error AcceptWindowOpen(uint256 leaseId, uint64 deadline);
    /// @notice The lease ended at `end`.
    error LeaseEnded(uint256 leaseId, uint64 end);
    /// @notice The dispute window ended at `deadline`.
    error DisputeWindowClosed(uint256 leaseId, uint64 deadline);
    /// @notice The lease can be finalized only after `deadline`.
    error DisputeWindowOpen(uint256 leaseId, uint64 deadline);
    /// @notice The arbiter may rule only until `deadline`; afterwards the timeout applies.
    error ArbitrationWindowClosed(uint256 leaseId, uint64 deadline);
    /// @notice The timeout applies only after `deadline`.
    error ArbitrationWindowOpen(uint256 leaseId, uint64 deadline);
    /// @notice The slash exceeds the lease's locked collateral.
    error SlashExceedsCollateral(uint256 slashAmount, uint256 collateral);
    /// @notice Basis points above 10,000.
    error InvalidShare(uint256 clientShareBps);
    /// @notice A result was already submitted.
    error ResultAlreadySubmitted(uint256 leaseId, bytes32 resultHash);
    /// @notice The value does not fit the contract's storage (amounts are kept in 128 bits).
    error AmountTooLarge(uint256 amount);
    /// @notice No arbiter change is pending.
    error NoPendingArbiter();
    /// @notice The arbiter change becomes executable at `eta`.
    error ArbiterTimelockActive(uint64 eta);
    /// @notice There is nothing to recover, withdraw or credit.
    error NothingToWithdraw();
    /// @notice The arbiter proposal expired at `expiry`; propose again.
    error ArbiterProposalExpired(uint64 expiry);
    /// @notice After a transfer the contract would hold `balance` of tracked `token`, below the `owed` amount.
    error SurplusBelowOwed(address token, uint256 balance, uint256 owed);
    /// @notice Recovering surplus lowered the balance of another tracked token `token` from `before` to `balance`
    ///         (two addresses of one ledger): its surplus cannot be recovered this way.
    error TrackedBalanceMoved(address token, uint256 before, uint256 balance);
    /// @notice Ownership cannot be renounced (a paused marketplace without owner would stay paused forever).
    error RenounceDisabled();
    /// @notice The lease runs until `end`; the client may confirm it only from then.
    error LeaseNotEnded(uint256 leaseId, uint64 end);
    /// @notice `requested` exceeds the provider's free stake `free` (raised by the provider registry).
    error InsufficientStake(uint256 free, uint256 requested);
    /// @notice `account` is not a registered provider.
    error NotRegistered(address account);
    /// @notice Only the marketplace's `resultRelay` may submit a result for a provider.
    error NotResultRelay(address caller);
    /// @notice A top-up needs the lease's own terms to still hold: the fee for new leases at most the lease's and the
    ///         token's collateral rate not set again since it opened (`rateId`: the how-many-th rate set, the lease's
    ///         and the token's current one; `getLease().collateralRate` and `collateralRate(token)` give their values);
    ///         open a new lease instead.
    error TopUpTermsChanged(uint256 leaseId, uint16 leaseFeeBps, uint16 feeBps, uint256 leaseRateId, uint256 rateId);
}

/// @title IMarketplaceDisputesAdmin
/// @notice Disputes and admin powers of the marketplace. They run in `MarketplaceDisputesAdmin`, which the
///         `ComputeMarketplace` calls by `delegatecall` on its own storage: callers use the marketplace's address.
interface IMarketplaceDisputesAdmin is IComputeMarketplaceTypes {
    /// @notice Anyone: a lease stopped early (closed) keeps locked only the collateral of what it still holds
    ///         (`collateralBps` of its shrunk deposit at its rate); this returns the rest to the provider's free stake.
    ///         A dispute does the same, and finalization releases everything. Does nothing for a lease with no excess.
    function releaseExcessCollateral(uint256 leaseId) external;

    /// @notice The client disputes the lease while it runs or within the dispute window after its end (or its
    ///         early stop). The bond, `disputeBondBps` of the larger of the frozen amount and the payment-token value of
    ///         the collateral the dispute keeps locked, comes from the refund of a running lease, then the client's
    ///         credit in the token, then a pull; what the pull cannot bring (the token refuses the client) is deferred:
    ///         taken from the client's part of the frozen amount if the provider wins, cancelled otherwise.
    function dispute(uint256 leaseId, bytes32 reasonHash) external;

    /// @notice Arbiter only, within the arbitration window: splits the frozen earnings and slashes collateral.
    function resolveDispute(uint256 leaseId, uint16 clientShareBps, uint256 slashAmount) external;

    /// @notice Anyone, after the arbitration window: the frozen earnings go back to the client, no slash.
    function resolveDisputeByTimeout(uint256 leaseId) external;

    /// @notice Admin: allows or disallows `token` for new offers, leases and top-ups (running leases still pay out);
    ///         allowing sets the collateral rate leases opened from now on snapshot: stake-token units per
    ///         payment-token unit times 1e18, decimals included (1e30 for a 6-decimal token worth one 18-decimal
    ///         stake token).
    function setPaymentToken(address token, bool allowed, uint256 collateralRate) external;

    /// @notice Admin: sets the fee for leases opened from now on (running leases keep their snapshot).
    function setFeeBps(uint16 newFeeBps) external;

    /// @notice Admin: sets the treasury, which alone can withdraw accrued fees.
    function setTreasury(address newTreasury) external;

    /// @notice Admin: proposes a new arbiter, installable from `ARBITER_DELAY` after now until
    ///         `ARBITER_PROPOSAL_TTL` later; leases already accepted keep their arbiter.
    function proposeArbiter(address newArbiter) external;

    /// @notice Admin: withdraws the pending arbiter proposal.
    function cancelArbiterProposal() external;

    /// @notice Anyone: installs the pending arbiter once its delay has passed and before the proposal expires.
    function executeArbiter() external;

    /// @notice Admin: sends `to` whatever `token` balance exceeds what the contract owes; reverts if it lowers the
    ///         balance of any other tracked token or leaves any tracked token's balance below what is owed in it.
    function recoverSurplus(address token, address to) external returns (uint256 amount);
}

/// @title IComputeMarketplace
/// @notice Escrowed, per-second GPU leases: providers stake collateral and publish offers, clients lease compute
///         with the full price escrowed, the provider is paid exactly for the seconds delivered (less a protocol
///         fee) and the client is refunded the rest. Disputes freeze unwithdrawn earnings and can slash the lease's
///         collateral; every state has an exit someone can take after a bounded time.
/// @dev Amounts owed to anyone other than the caller are credited (`credit`, `withdrawCredit`), never pushed.
interface IComputeMarketplace is IMarketplaceDisputesAdmin {
    // ----------------------------------------------------------------------------------------------- offers

    /// @notice Publishes an offer; the caller must be a registered provider. Offer ids start at 1 (0 is never an
    ///         offer) and count up.
    function createOffer(
        address paymentToken,
        uint256 pricePerSecond,
        uint64 minDuration,
        uint64 maxDuration,
        bytes32 specHash,
        string calldata uri
    ) external returns (uint256 offerId);

    /// @notice Activates or deactivates an offer (provider only; running leases are unaffected).
    function setOfferActive(uint256 offerId, bool active) external;

    /// @notice Changes the price of an offer for new leases (provider only).
    function setOfferPrice(uint256 offerId, uint256 pricePerSecond) external;

    // ----------------------------------------------------------------------------------------------- leases

    /// @notice Escrows `price * duration` from the caller for a lease on `offerId`, snapshotting price and fee.
    ///         Lease ids start at 1 (0 is never a lease) and count up.
    function openLease(uint256 offerId, uint64 duration, uint256 maxPricePerSecond) external returns (uint256 leaseId);

    /// @notice Accepts an open lease within the accept window, locking collateral; the lease streams from now.
    function acceptLease(uint256 leaseId) external;

    /// @notice Cancels an open lease with a full refund: the client or provider at any time, anyone once the accept
    ///         window has lapsed.
    function cancelLease(uint256 leaseId) external;

    /// @notice Client only: extends an accepted lease that has not ended by `extraDuration` seconds at its
    ///         snapshotted price, if that is not below the offer's current price, the fee for new leases is not above
    ///         the lease's and the token's collateral rate is the one the lease snapshotted (`TopUpTermsChanged`);
    ///         locks collateral for what it adds.
    function topUp(uint256 leaseId, uint64 extraDuration) external;

    /// @notice Sends the provider what it has earned so far, less the fee (credited when the token refuses it).
    function withdrawEarnings(uint256 leaseId) external returns (uint256 amount);

    /// @notice Ends a running lease now (client or provider); the unearned remainder goes to the client.
    function closeLease(uint256 leaseId) external;

    /// @notice Publishes the provider's output commitment (SHA-256 of the result), once.
    function submitResult(uint256 leaseId, bytes32 resultHash) external;

    /// @notice The marketplace's `ResultProvenanceRelay` only: `submitResult` for `provider` (the relay's caller),
    ///         which must be the lease's provider; returns the offer's spec hash (the result's parent in the
    ///         provenance registry) and the lease's start (no record older than it is linked to the lease).
    function submitResultFor(uint256 leaseId, bytes32 resultHash, address provider)
        external
        returns (bytes32 specHash, uint64 start);

    /// @notice Anyone after the end plus the dispute window, or the client from the end (confirming it early):
    ///         pays the provider and releases its collateral.
    function finalize(uint256 leaseId) external;

    // ----------------------------------------------------------------------------------------------- payouts

    /// @notice Sends the caller its credit in `token`.
    function withdrawCredit(address token) external returns (uint256 amount);

    /// @notice Sends the caller's credit in `token` to `recipient` (for accounts that cannot receive).
    function withdrawCreditTo(address token, address recipient) external returns (uint256 amount);

    /// @notice Sends the accrued fees in `token` to the treasury (treasury only).
    function withdrawFees(address token) external returns (uint256 amount);

    // ----------------------------------------------------------------------------------------------- views

    /// @notice The offer `offerId` (ids start at 1; reverts `UnknownOffer` for any other).
    function getOffer(uint256 offerId) external view returns (OfferView memory);

    /// @notice The lease `leaseId` (ids start at 1; reverts `UnknownLease` for any other).
    function getLease(uint256 leaseId) external view returns (LeaseView memory details);

    /// @notice What `withdrawEarnings` would pay the provider now (after fee): earnings older than `holdback`.
    function earned(uint256 leaseId) external view returns (uint256);

    /// @notice What the client would get back if the lease were cancelled or closed now.
    function refundable(uint256 leaseId) external view returns (uint256);

    /// @notice `account`'s withdrawable credit in `token`.
    function credit(address token, address account) external view returns (uint256);

    /// @notice Fees accrued in `token` and not yet withdrawn.
    function accruedFees(address token) external view returns (uint256);

    /// @notice Everything the contract owes in `token` (escrow, frozen, earnings, credits, fees, stake).
    function totalOwed(address token) external view returns (uint256);

    /// @notice Whether `token` is allowed for new offers and leases.
    function isTokenAllowed(address token) external view returns (bool);

    /// @notice The collateral rate new leases in `token` snapshot (stake-token units per unit, times 1e18).
    function collateralRate(address token) external view returns (uint256);

    /// @notice Every token the contract may owe (stake token and every payment token ever allowed).
    function trackedTokens() external view returns (address[] memory);
}
