// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IComputeMarketplace, IMarketplaceDisputesAdmin} from "./interfaces/IComputeMarketplace.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {MarketplaceBase} from "./MarketplaceBase.sol";
import {MarketplaceDisputesAdmin} from "./MarketplaceDisputesAdmin.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";

/// @title ComputeMarketplace
/// @notice Escrowed, per-second GPU leases with provider collateral, disputes and guaranteed exits: offers, lease
///         escrow and disputes live here; provider registration, stake and reputation in the `ProviderRegistry`
///         this contract deploys (`registry`), which front ends reach through this contract's address.
///
/// Money flow of one lease (all amounts in the offer's payment token):
/// - `openLease` escrows `price * duration` (what actually arrives: fee-on-transfer tokens escrow less, and the
///   lease then covers `ceil(deposit / price)` seconds, the last one partly) and snapshots the fee and the payment
///   token's collateral rate;
/// - once accepted the lease streams: after `t` seconds the provider has earned `min(t * price, deposit)`, but
///   `withdrawEarnings` reaches only what was earned up to `holdback` seconds before the earlier of now and the end,
///   so a dispute always freezes at least `holdback` seconds of earnings, whatever the order of transactions;
/// - the fee `ceil(earned * feeBps / 10_000)` is charged on the cumulative amount, so splitting withdrawals never
///   avoids it; closing early refunds the unearned rest;
/// - the lease's collateral (`collateralBps` of the deposit, converted to stake-token units at the rate
///   snapshotted at open) is locked in the registry at acceptance and for every top-up, shrinks to that of what
///   the lease still holds once it is stopped (at a dispute, or by anyone's `releaseExcessCollateral` after a
///   close), and is released by `finalize`, which the client may call from the end and anyone after
///   `end + disputeWindow`; a dispute in that window can slash it to the client. The arbiter in office at
///   acceptance is the one who rules on the lease.
///
/// Every non-terminal state has a permissionless exit after a bounded time: an open lease can be cancelled by
/// anyone after `acceptWindow`, an accepted one finalized after `end + disputeWindow`, a disputed one resolved by
/// timeout after `arbitrationWindow`. Payouts go only to the caller, and are credited instead when the token
/// refuses the transfer (a blocklisted caller still exits); what is owed to anyone else is credited.
///
/// @dev Accounting per token: `_tokens[token].owed` is everything the contract owes in that token (escrow,
///      frozen and unwithdrawn earnings, credits, fees). It grows by what actually arrives (balance delta) and
///      shrinks by what is sent, so `balanceOf(this) - owed` is a surplus sent by mistake, the only amount the
///      admin can recover, and no recovery may leave any tracked token below what is owed in it (two-address
///      tokens). Rebasing tokens are not supported.
contract ComputeMarketplace is IComputeMarketplace, MarketplaceBase {
    using SafeERC20 for IERC20;

    /// @notice Where disputes and admin powers run (by `delegatecall`, on this contract's storage).
    address public immutable disputesAdmin;
    /// @notice The `ResultProvenanceRelay` that alone may call `submitResultFor` (zero: none; fixed at deployment).
    address public immutable resultRelay;

    /// @param stakeToken_ Token providers stake.
    /// @param treasury_ Receives fees.
    /// @param arbiter_ Rules on disputes.
    /// @param feeBps_ Fee on provider earnings, at most 1,000.
    /// @param collateralBps_ Collateral per lease in basis points of its deposit, at most 10,000.
    /// @param acceptWindow_ Seconds to accept an open lease (non-zero).
    /// @param disputeWindow_ Seconds after a lease's end to dispute it.
    /// @param arbitrationWindow_ Seconds for the arbiter to rule (non-zero).
    /// @param unstakeCooldown_ Seconds between an unstake request and the withdrawal.
    /// @param holdback_ Seconds of most recent earnings a provider cannot withdraw yet.
    /// @param disputeBondBps_ The client's dispute bond, in basis points of the frozen amount (at most 10,000).
    /// @param admin Owner: fee, treasury, arbiter (timelocked), payment tokens and rates, pause, surplus recovery.
    /// @param resultRelay_ The `ResultProvenanceRelay` built for this marketplace (its predicted address), which
    ///        submits results registered with their provenance; zero for none.
    constructor(
        IERC20 stakeToken_,
        address treasury_,
        address arbiter_,
        uint16 feeBps_,
        uint16 collateralBps_,
        uint64 acceptWindow_,
        uint64 disputeWindow_,
        uint64 arbitrationWindow_,
        uint64 unstakeCooldown_,
        uint64 holdback_,
        uint16 disputeBondBps_,
        address admin,
        address resultRelay_
    )
        MarketplaceBase(
            stakeToken_,
            new ProviderRegistry(stakeToken_, unstakeCooldown_),
            collateralBps_,
            acceptWindow_,
            disputeWindow_,
            arbitrationWindow_,
            holdback_,
            disputeBondBps_,
            admin
        )
    {
        if (
            address(stakeToken_) == address(0) || treasury_ == address(0) || arbiter_ == address(0)
                || collateralBps_ > BPS || acceptWindow_ == 0 || arbitrationWindow_ == 0
                || disputeWindow_ > MAX_DURATION || acceptWindow_ > MAX_DURATION || arbitrationWindow_ > MAX_DURATION
                || unstakeCooldown_ > MAX_DURATION || holdback_ > MAX_DURATION || disputeBondBps_ > BPS
        ) revert InvalidParameter();
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_);
        disputesAdmin = address(
            new MarketplaceDisputesAdmin(
                stakeToken_,
                registry,
                collateralBps_,
                acceptWindow_,
                disputeWindow_,
                arbitrationWindow_,
                holdback_,
                disputeBondBps_,
                admin
            )
        );
        resultRelay = resultRelay_;
        treasury = treasury_;
        _arbiters.push(arbiter_);
        feeBps = feeBps_;
        _rates.push(0);
        _trackedTokens.push(address(stakeToken_));
    }

    // =============================================================================================== offers

    /// @inheritdoc IComputeMarketplace
    function createOffer(
        address paymentToken,
        uint256 pricePerSecond,
        uint64 minDuration,
        uint64 maxDuration,
        bytes32 specHash,
        string calldata uri
    ) external whenNotPaused returns (uint256 offerId) {
        if (!registry.isRegistered(msg.sender)) revert NotRegistered(msg.sender);
        if (!_tokens[paymentToken].allowed) revert TokenNotAllowed(paymentToken);
        if (minDuration == 0 || minDuration > maxDuration || maxDuration > MAX_DURATION) {
            revert DurationOutOfRange(maxDuration, minDuration, maxDuration);
        }
        _checkPrice(pricePerSecond);
        offerId = ++offerCount;
        if (offerId > type(uint32).max) revert AmountTooLarge(offerId);
        _offers[offerId] = Offer({
            provider: msg.sender,
            minDuration: uint32(minDuration), // <= MAX_DURATION
            maxDuration: uint32(maxDuration),
            active: true,
            paymentToken: paymentToken,
            pricePerSecond: uint96(pricePerSecond), // checked
            specHash: specHash,
            uri: uri
        });
        emit OfferCreated(offerId, msg.sender, paymentToken, pricePerSecond, minDuration, maxDuration, specHash, uri);
    }

    /// @inheritdoc IComputeMarketplace
    function setOfferActive(uint256 offerId, bool active) external {
        Offer storage offer = _ownOffer(offerId);
        offer.active = active;
        emit OfferActiveSet(offerId, active);
    }

    /// @inheritdoc IComputeMarketplace
    function setOfferPrice(uint256 offerId, uint256 pricePerSecond) external {
        Offer storage offer = _ownOffer(offerId);
        _checkPrice(pricePerSecond);
        offer.pricePerSecond = uint96(pricePerSecond);
        emit OfferPriceSet(offerId, pricePerSecond);
    }

    // =============================================================================================== leases

    /// @inheritdoc IComputeMarketplace
    function openLease(uint256 offerId, uint64 duration, uint256 maxPricePerSecond)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 leaseId)
    {
        Offer storage offer = _offer(offerId);
        if (!offer.active) revert OfferInactive(offerId);
        uint256 price = offer.pricePerSecond;
        if (price > maxPricePerSecond) revert PriceAboveMax(price, maxPricePerSecond);
        if (duration < offer.minDuration || duration > offer.maxDuration) {
            revert DurationOutOfRange(duration, offer.minDuration, offer.maxDuration);
        }
        address token = offer.paymentToken;
        TokenInfo storage info = _tokens[token];
        if (!info.allowed) revert TokenNotAllowed(token);
        uint16 rateId = info.rateId;
        // price < 2^96 and duration < 2^32: the product fits 128 bits
        uint128 deposit = _pull(token, price * duration);
        if (deposit == 0) revert InvalidParameter();
        uint16 leaseFeeBps = feeBps;

        leaseId = ++leaseCount;
        Lease storage lease = _leases[leaseId];
        lease.client = msg.sender;
        lease.start = uint40(block.timestamp);
        lease.feeBps = leaseFeeBps;
        lease.status = Status.Open;
        lease.offerId = uint32(offerId); // offer ids are capped at 2^32 - 1 by createOffer
        lease.pricePerSecond = uint96(price);
        lease.deposit = uint112(deposit); // what arrived is part of what is owed: below 2^112
        lease.rateId = rateId;
        emit LeaseOpened(leaseId, msg.sender, offerId, offer.provider, deposit, price, leaseFeeBps);
    }

    /// @inheritdoc IComputeMarketplace
    /// @dev Stopped by a pause (no lease starts while the marketplace is paused; the client can still cancel).
    ///      Only the provider's own stake decides whether it succeeds: nobody else can change an open lease.
    function acceptLease(uint256 leaseId) external whenNotPaused {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Open);
        address provider = _offers[lease.offerId].provider;
        if (msg.sender != provider) revert NotProvider(msg.sender);
        uint64 deadline = uint64(lease.start) + acceptWindow;
        if (block.timestamp > deadline) revert AcceptWindowClosed(leaseId, deadline);

        uint256 deposit = lease.deposit; // an open lease is never stopped: it holds its whole deposit
        uint128 collateral = _collateral(deposit, lease.rateId);
        lease.start = uint40(block.timestamp);
        lease.status = Status.Active;
        // one fresh slot: the collateral and the arbiter who will rule on this lease (fixed from now on)
        lease.collateral = collateral;
        lease.arbiterId = _arbiterId;
        if (collateral != 0) registry.lock(provider, collateral);
        emit LeaseAccepted(
            leaseId, provider, uint64(block.timestamp), uint64(_end(block.timestamp, deposit, lease.pricePerSecond)), collateral
        );
    }

    /// @inheritdoc IComputeMarketplace
    /// @dev Reaches only earnings older than `holdback`: `min((now - holdback - start) * price, deposit)`. Paid to
    ///      the provider, or credited to it when the token refuses the transfer (a blocklisted provider).
    function withdrawEarnings(uint256 leaseId) external nonReentrant returns (uint256 amount) {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Active);
        Offer storage offer = _offers[lease.offerId];
        if (msg.sender != offer.provider) revert NotProvider(msg.sender);
        uint256 streamed = _withdrawable(lease);
        uint256 withdrawn = lease.withdrawn;
        if (streamed <= withdrawn) return 0;
        uint256 fee;
        (amount, fee) = _netOfFee(streamed, withdrawn, lease.feeBps);
        lease.withdrawn = uint112(streamed); // streamed <= deposit < 2^112
        address token = offer.paymentToken;
        _accrueFee(token, fee);
        emit EarningsWithdrawn(leaseId, msg.sender, amount, fee);
        _payOrCredit(token, msg.sender, amount); // credited when the token refuses the provider
    }

    /// @inheritdoc IComputeMarketplace
    function closeLease(uint256 leaseId) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Active);
        Offer storage offer = _offers[lease.offerId];
        address client = lease.client;
        if (msg.sender != client && msg.sender != offer.provider) revert NotParty(msg.sender);
        uint256 refund = _stopNow(lease, leaseId);
        emit LeaseClosed(leaseId, msg.sender, refund, uint64(block.timestamp));
        _payOrCredit(offer.paymentToken, client, refund);
    }

    /// @inheritdoc IComputeMarketplace
    /// @dev Allowed while Active (running or ended) and while Disputed, where it is evidence for the arbiter.
    function submitResult(uint256 leaseId, bytes32 resultHash) external {
        _submitResult(leaseId, resultHash, msg.sender);
    }

    /// @inheritdoc IComputeMarketplace
    /// @dev The relay passes its own caller as `provider`, so only a lease's provider can submit through it.
    function submitResultFor(uint256 leaseId, bytes32 resultHash, address provider)
        external
        returns (bytes32, uint64)
    {
        if (msg.sender != resultRelay) revert NotResultRelay(msg.sender);
        return (_submitResult(leaseId, resultHash, provider).specHash, _leases[leaseId].start);
    }

    // =============================================================================================== payouts

    /// @inheritdoc IComputeMarketplace
    function withdrawCredit(address token) external returns (uint256 amount) {
        return withdrawCreditTo(token, msg.sender);
    }

    /// @inheritdoc IComputeMarketplace
    function withdrawCreditTo(address token, address recipient) public nonReentrant returns (uint256 amount) {
        if (recipient == address(0)) revert InvalidParameter();
        amount = _credits[token][msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        _credits[token][msg.sender] = 0;
        if (recipient == msg.sender) emit CreditWithdrawn(token, msg.sender, amount);
        else emit CreditWithdrawnTo(token, msg.sender, recipient, amount);
        _send(token, recipient, amount);
    }

    /// @inheritdoc IComputeMarketplace
    function withdrawFees(address token) external nonReentrant returns (uint256 amount) {
        if (msg.sender != treasury) revert NotTreasury(msg.sender);
        TokenInfo storage info = _tokens[token];
        amount = info.fees;
        if (amount == 0) revert NothingToWithdraw();
        info.fees = 0;
        emit FeesWithdrawn(token, msg.sender, amount);
        _payOrCredit(token, msg.sender, amount); // credited when the token refuses the treasury
    }

    // =============================================================================================== admin

    /// @notice Stops new offers, leases, acceptances, top-ups and stake deposits. Exits keep working.
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Lifts the pause.
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @notice Disabled: an ownerless marketplace could never be unpaused or get a new arbiter. Hand ownership
    ///         over with `transferOwnership` instead. Only the owner reaches the revert (others get the usual error).
    function renounceOwnership() public override onlyOwner {
        // always true after `onlyOwner`; written as a condition so the function stays a transaction in every ABI
        if (owner() != address(0)) revert RenounceDisabled();
        super.renounceOwnership();
    }

    // =============================================================================================== disputes and admin
    // Each runs in `disputesAdmin` on this contract's storage; see `IMarketplaceDisputesAdmin` for the rules.

    /// @inheritdoc IComputeMarketplace
    function cancelLease(uint256) external {
        _delegate();
    }

    /// @inheritdoc IComputeMarketplace
    function topUp(uint256, uint64) external {
        _delegate();
    }

    /// @inheritdoc IComputeMarketplace
    function finalize(uint256) external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function releaseExcessCollateral(uint256) external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function dispute(uint256, bytes32) external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function resolveDispute(uint256, uint16, uint256) external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function resolveDisputeByTimeout(uint256) external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function setPaymentToken(address, bool, uint256) external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function setFeeBps(uint16) external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function setTreasury(address) external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function proposeArbiter(address) external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function cancelArbiterProposal() external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function executeArbiter() external {
        _delegate();
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function recoverSurplus(address, address) external returns (uint256) {
        _delegate();
    }

    // =============================================================================================== views

    /// @inheritdoc IComputeMarketplace
    function getOffer(uint256 offerId) external view returns (OfferView memory) {
        Offer storage offer = _offer(offerId);
        return OfferView({
            provider: offer.provider,
            paymentToken: offer.paymentToken,
            pricePerSecond: offer.pricePerSecond,
            minDuration: offer.minDuration,
            maxDuration: offer.maxDuration,
            active: offer.active,
            specHash: offer.specHash,
            uri: offer.uri
        });
    }

    /// @inheritdoc IComputeMarketplace
    function getLease(uint256 leaseId) external view returns (LeaseView memory details) {
        Lease storage lease = _lease(leaseId);
        Offer storage offer = _offers[lease.offerId];
        Status status = lease.status;
        uint256 deposit = lease.deposit;
        details.offerId = lease.offerId;
        details.client = lease.client;
        details.provider = offer.provider;
        details.paymentToken = offer.paymentToken;
        details.pricePerSecond = lease.pricePerSecond;
        details.deposit = deposit;
        details.start = lease.start;
        details.feeBps = lease.feeBps;
        details.status = status;
        details.withdrawn = lease.withdrawn;
        details.collateral = lease.collateral;
        details.frozen = lease.frozen;
        details.disputedAt = lease.disputedAt;
        details.disputeBond = _bonds[leaseId];
        details.collateralRate = _rates[lease.rateId];
        details.resultHash = lease.resultHash;
        if (status == Status.Cancelled) {
            details.refunded = deposit;
        } else if (status != Status.Open) {
            details.arbiter = _arbiters[lease.arbiterId];
            details.end = uint64(_end(lease.start, deposit, lease.pricePerSecond)); // the original end
            if (lease.stopOffset != 0) {
                (,, uint256 held, uint256 stoppedAt) = _terms(lease);
                details.stoppedAt = uint64(stoppedAt);
                details.refunded = deposit - held;
            }
        }
    }

    /// @inheritdoc IComputeMarketplace
    function earned(uint256 leaseId) external view returns (uint256 amount) {
        Lease storage lease = _lease(leaseId);
        if (lease.status != Status.Active) return 0;
        uint256 streamed = _withdrawable(lease);
        if (streamed > lease.withdrawn) (amount,) = _netOfFee(streamed, lease.withdrawn, lease.feeBps);
    }

    /// @inheritdoc IComputeMarketplace
    function refundable(uint256 leaseId) external view returns (uint256) {
        Lease storage lease = _lease(leaseId);
        if (lease.status == Status.Open) return lease.deposit;
        if (lease.status != Status.Active) return 0;
        (uint256 start, uint256 price, uint256 held,) = _terms(lease);
        return held - _streamed(block.timestamp, start, price, held);
    }

    /// @inheritdoc IComputeMarketplace
    function credit(address token, address account) external view returns (uint256) {
        return _credits[token][account];
    }

    /// @inheritdoc IComputeMarketplace
    function accruedFees(address token) external view returns (uint256) {
        return _tokens[token].fees;
    }

    /// @inheritdoc IComputeMarketplace
    function totalOwed(address token) external view returns (uint256) {
        return _tokens[token].owed;
    }

    /// @inheritdoc IComputeMarketplace
    function isTokenAllowed(address token) external view returns (bool) {
        return _tokens[token].allowed;
    }

    /// @inheritdoc IComputeMarketplace
    function collateralRate(address token) external view returns (uint256) {
        return _rates[_tokens[token].rateId];
    }

    /// @inheritdoc IComputeMarketplace
    function trackedTokens() external view returns (address[] memory) {
        return _trackedTokens;
    }

    // =============================================================================================== internals

    /// @dev A result submission's rules (`submitResult`, `submitResultFor`): the lease's provider, once, while the lease
    ///      is Active (running or ended) or Disputed (evidence for the arbiter), a non-zero hash. Returns the lease's
    ///      offer.
    function _submitResult(uint256 leaseId, bytes32 resultHash, address provider)
        private
        returns (Offer storage offer)
    {
        Lease storage lease = _lease(leaseId);
        Status status = lease.status;
        if (status != Status.Active && status != Status.Disputed) revert WrongStatus(leaseId, status);
        offer = _offers[lease.offerId];
        if (provider != offer.provider) revert NotProvider(provider);
        if (resultHash == bytes32(0)) revert InvalidParameter();
        bytes32 existing = lease.resultHash;
        if (existing != bytes32(0)) revert ResultAlreadySubmitted(leaseId, existing);
        lease.resultHash = resultHash;
        emit ResultSubmitted(leaseId, provider, resultHash);
    }

    /// @dev Runs the current call's function in `disputesAdmin` on this contract's storage and returns or reverts
    ///      with its result. The target is fixed at construction.
    function _delegate() private {
        address target = disputesAdmin;
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
}
