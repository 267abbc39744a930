// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IComputeMarketplace} from "./interfaces/IComputeMarketplace.sol";

/// @title ComputeMarketplace
/// @notice Escrowed, per-second GPU leases with provider collateral, disputes and guaranteed exits.
///
/// Money flow of one lease (all amounts in the offer's payment token):
/// - `openLease` escrows `price * duration` (what actually arrives: fee-on-transfer tokens escrow less, and the
///   lease then covers `ceil(deposit / price)` seconds, the last one partly);
/// - once accepted the lease streams: after `t` seconds the provider has earned `min(t * price, deposit)`;
/// - the provider withdraws earnings at any time, less the fee `floor(earned * feeBps / 10_000)` (charged on the
///   cumulative amount, so splitting withdrawals never avoids it); closing early refunds the unearned rest;
/// - the lease's collateral (`collateralBps` of the deposit at acceptance, in stake-token units counted 1:1, so
///   allow payment tokens whose unit is worth about the stake token's) stays locked until `finalize`, which
///   anyone may call after `end + disputeWindow`; a dispute in that window can slash it to the client.
///
/// Every non-terminal state has a permissionless exit after a bounded time: an open lease can be cancelled by
/// anyone after `acceptWindow`, an accepted one finalized after `end + disputeWindow`, a disputed one resolved by
/// timeout after `arbitrationWindow`. Payouts go only to the caller; what is owed to anyone else is credited.
///
/// @dev Accounting per token: `_tokens[token].owed` is everything the contract owes in that token (escrow,
///      frozen and unwithdrawn earnings, credits, fees, stake). It grows by what actually arrives (balance delta)
///      and shrinks by what is sent, so `balanceOf(this) - owed` is a surplus sent by mistake, the only amount the
///      admin can recover. Rebasing tokens are not supported.
contract ComputeMarketplace is IComputeMarketplace, Ownable2Step, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant BPS = 10_000;
    /// @notice Highest fee the admin can set.
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Longest lease an offer can allow (keeps every timestamp in 64 bits).
    uint64 public constant MAX_DURATION = type(uint32).max;
    /// @notice Delay between proposing and installing a new arbiter (the arbiter decides over frozen funds).
    uint64 public constant ARBITER_DELAY = 2 days;

    /// @notice The token providers stake as collateral.
    IERC20 public immutable stakeToken;
    /// @notice Collateral locked at acceptance, in basis points of the lease's deposit.
    uint16 public immutable collateralBps;
    /// @notice Seconds the provider has to accept an open lease.
    uint64 public immutable acceptWindow;
    /// @notice Seconds after a lease's end during which the client may dispute.
    uint64 public immutable disputeWindow;
    /// @notice Seconds the arbiter has to rule before the timeout refunds the client.
    uint64 public immutable arbitrationWindow;
    /// @notice Seconds between an unstake request and the withdrawal.
    uint64 public immutable unstakeCooldown;

    /// @dev Read together by `openLease` (fee) and `withdrawFees` (treasury): one slot.
    address public treasury;
    /// @notice Fee for new leases, in basis points of the provider's earnings.
    uint16 public feeBps;

    /// @notice Who rules on disputes.
    address public arbiter;
    /// @notice Proposed arbiter, installable from `arbiterEta`.
    address public pendingArbiter;
    uint64 public arbiterEta;

    /// @dev Per payment or stake token; one slot, read and written by every money movement.
    struct TokenInfo {
        uint120 owed; // everything owed in this token (kept below 2^120 by `_pull`, so every amount fits)
        uint120 fees; // accrued fees, part of `owed`
        bool allowed; // payment-token allowlist
    }

    /// @dev Stake amounts fit 128 bits (checked on deposit). Slot 1 is what accept and finalize touch.
    struct Provider {
        uint128 freeStake;
        uint128 lockedStake;
        uint128 pendingStake;
        uint64 unlockAt;
        uint32 leasesCompleted;
        uint32 disputesLost;
        uint128 totalSlashed;
        bool registered;
    }

    /// @dev Provider and payment token are immutable per offer, so leases read them through `offerId` instead of
    ///      copying them (two fewer slots to write per lease).
    struct Offer {
        address provider;
        uint64 minDuration;
        bool active;
        address paymentToken;
        uint64 maxDuration;
        uint128 pricePerSecond;
        bytes32 specHash;
        string uri;
    }

    /// @dev Slot 1 and 2 are written by `openLease`; slot 3 by `acceptLease` (collateral) and withdrawals; slot 4
    ///      only by a dispute. `start` is the opening time while Open and the acceptance time afterwards.
    ///      Invariant: `deposit - withdrawn` is what the lease still holds; terminal leases hold nothing.
    struct Lease {
        address client;
        uint40 start;
        uint16 feeBps;
        Status status;
        uint32 offerId;
        uint128 pricePerSecond;
        uint128 deposit;
        uint128 withdrawn;
        uint128 collateral;
        uint128 frozen;
        uint40 disputedAt;
        bytes32 resultHash;
    }

    mapping(address token => TokenInfo) private _tokens;
    mapping(address provider => Provider) private _providers;
    mapping(address provider => string) private _metadataURIs;
    mapping(address token => mapping(address account => uint256)) private _credits;
    mapping(uint256 offerId => Offer) private _offers;
    mapping(uint256 leaseId => Lease) private _leases;
    /// @notice Number of offers created (ids start at 1).
    uint256 public offerCount;
    /// @notice Number of leases opened (ids start at 1).
    uint256 public leaseCount;

    /// @param stakeToken_ Token providers stake.
    /// @param treasury_ Receives fees.
    /// @param arbiter_ Rules on disputes.
    /// @param feeBps_ Fee on provider earnings, at most 1,000.
    /// @param collateralBps_ Collateral per lease in basis points of its deposit, at most 10,000.
    /// @param acceptWindow_ Seconds to accept an open lease (non-zero).
    /// @param disputeWindow_ Seconds after a lease's end to dispute it.
    /// @param arbitrationWindow_ Seconds for the arbiter to rule (non-zero).
    /// @param unstakeCooldown_ Seconds between an unstake request and the withdrawal.
    /// @param admin Owner: fee, treasury, arbiter (timelocked), allowlist, pause, surplus recovery.
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
        address admin
    ) Ownable(admin) {
        if (
            address(stakeToken_) == address(0) || treasury_ == address(0) || arbiter_ == address(0)
                || collateralBps_ > BPS || acceptWindow_ == 0 || arbitrationWindow_ == 0
                || disputeWindow_ > MAX_DURATION || acceptWindow_ > MAX_DURATION || arbitrationWindow_ > MAX_DURATION
                || unstakeCooldown_ > MAX_DURATION
        ) revert InvalidParameter();
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_);
        stakeToken = stakeToken_;
        treasury = treasury_;
        arbiter = arbiter_;
        feeBps = feeBps_;
        collateralBps = collateralBps_;
        acceptWindow = acceptWindow_;
        disputeWindow = disputeWindow_;
        arbitrationWindow = arbitrationWindow_;
        unstakeCooldown = unstakeCooldown_;
    }

    // =============================================================================================== providers

    /// @inheritdoc IComputeMarketplace
    function registerProvider(string calldata metadataURI) external {
        _providers[msg.sender].registered = true;
        _metadataURIs[msg.sender] = metadataURI;
        emit ProviderRegistered(msg.sender, metadataURI);
    }

    /// @inheritdoc IComputeMarketplace
    /// @dev Paused with other inflows.
    function depositStake(uint256 amount) external nonReentrant whenNotPaused {
        Provider storage provider = _registered(msg.sender);
        if (amount == 0) revert InvalidParameter();
        uint128 received = _pull(address(stakeToken), amount);
        provider.freeStake += received;
        emit StakeDeposited(msg.sender, received);
    }

    /// @inheritdoc IComputeMarketplace
    function requestUnstake(uint256 amount) external {
        Provider storage provider = _providers[msg.sender];
        uint256 free = provider.freeStake;
        if (amount == 0) revert InvalidParameter();
        if (amount > free) revert InsufficientStake(free, amount);
        uint64 unlockAt = uint64(block.timestamp) + unstakeCooldown;
        // amount <= freeStake, and pending + free never exceeds the 128-bit total deposited
        unchecked {
            provider.freeStake = uint128(free - amount);
            provider.pendingStake += uint128(amount);
        }
        provider.unlockAt = unlockAt;
        emit UnstakeRequested(msg.sender, amount, unlockAt);
    }

    /// @inheritdoc IComputeMarketplace
    function cancelUnstake() external {
        Provider storage provider = _providers[msg.sender];
        uint128 pending = provider.pendingStake;
        if (pending == 0) revert NothingPending();
        provider.pendingStake = 0;
        provider.unlockAt = 0;
        provider.freeStake += pending;
        emit UnstakeCancelled(msg.sender, pending);
    }

    /// @inheritdoc IComputeMarketplace
    function withdrawStake() external nonReentrant returns (uint256 amount) {
        Provider storage provider = _providers[msg.sender];
        amount = provider.pendingStake;
        if (amount == 0) revert NothingPending();
        if (block.timestamp < provider.unlockAt) revert CooldownActive(provider.unlockAt);
        provider.pendingStake = 0;
        provider.unlockAt = 0;
        emit StakeWithdrawn(msg.sender, amount);
        _send(address(stakeToken), msg.sender, amount);
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
        _registered(msg.sender);
        if (!_tokens[paymentToken].allowed) revert TokenNotAllowed(paymentToken);
        if (minDuration == 0 || minDuration > maxDuration || maxDuration > MAX_DURATION) {
            revert DurationOutOfRange(maxDuration, minDuration, maxDuration);
        }
        _checkPrice(pricePerSecond, maxDuration);
        offerId = ++offerCount;
        if (offerId > type(uint32).max) revert AmountTooLarge(offerId);
        _offers[offerId] = Offer({
            provider: msg.sender,
            minDuration: minDuration,
            active: true,
            paymentToken: paymentToken,
            maxDuration: maxDuration,
            pricePerSecond: uint128(pricePerSecond),
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
        _checkPrice(pricePerSecond, offer.maxDuration);
        offer.pricePerSecond = uint128(pricePerSecond);
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
        if (!_tokens[token].allowed) revert TokenNotAllowed(token);
        // price * maxDuration < 2^128 was checked when the price was set
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
        lease.pricePerSecond = uint128(price);
        lease.deposit = deposit;
        emit LeaseOpened(leaseId, msg.sender, offer.provider, offerId, deposit, price, leaseFeeBps);
    }

    /// @inheritdoc IComputeMarketplace
    function acceptLease(uint256 leaseId) external {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Open);
        address provider = _offers[lease.offerId].provider;
        if (msg.sender != provider) revert NotProvider(msg.sender);
        uint64 deadline = uint64(lease.start) + acceptWindow;
        if (block.timestamp > deadline) revert AcceptWindowClosed(leaseId, deadline);

        uint128 deposit = lease.deposit;
        // deposit < 2^128 and collateralBps <= 10_000: the product fits 256 bits and the quotient 128
        uint128 collateral = uint128(uint256(deposit) * collateralBps / BPS);
        Provider storage info = _providers[provider];
        uint128 free = info.freeStake;
        if (free < collateral) revert InsufficientStake(free, collateral);
        unchecked {
            info.freeStake = free - collateral; // checked above
        }
        info.lockedStake += collateral;

        lease.start = uint40(block.timestamp);
        lease.status = Status.Active;
        if (collateral != 0) lease.collateral = collateral;
        emit LeaseAccepted(
            leaseId, provider, uint64(block.timestamp), uint64(_end(block.timestamp, deposit, lease.pricePerSecond)), collateral
        );
    }

    /// @inheritdoc IComputeMarketplace
    function cancelLease(uint256 leaseId) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Open);
        Offer storage offer = _offers[lease.offerId];
        address client = lease.client;
        if (msg.sender != client && msg.sender != offer.provider) {
            uint64 deadline = uint64(lease.start) + acceptWindow;
            if (block.timestamp <= deadline) revert AcceptWindowOpen(leaseId, deadline);
        }
        uint256 refund = lease.deposit;
        lease.deposit = 0;
        lease.status = Status.Cancelled;
        emit LeaseCancelled(leaseId, msg.sender, refund);
        _payOrCredit(offer.paymentToken, client, refund);
    }

    /// @inheritdoc IComputeMarketplace
    /// @dev Paused with other inflows. The collateral stays what was locked at acceptance.
    function topUp(uint256 leaseId, uint64 extraDuration) external nonReentrant whenNotPaused {
        Lease storage lease = _lease(leaseId);
        Status status = lease.status;
        if (status != Status.Open && status != Status.Active) revert WrongStatus(leaseId, status);
        uint256 price = lease.pricePerSecond;
        uint256 deposit = lease.deposit;
        uint256 paidSeconds = Math.ceilDiv(deposit, price);
        uint256 end = 0; // reported as zero while the lease waits for acceptance
        if (status == Status.Active) {
            end = lease.start + paidSeconds;
            if (block.timestamp >= end) revert LeaseEnded(leaseId, uint64(end));
        }
        Offer storage offer = _offers[lease.offerId];
        if (extraDuration == 0 || paidSeconds + extraDuration > offer.maxDuration) {
            revert DurationOutOfRange(paidSeconds + extraDuration, offer.minDuration, offer.maxDuration);
        }
        address token = offer.paymentToken;
        if (!_tokens[token].allowed) revert TokenNotAllowed(token);
        // price * (paidSeconds + extraDuration) <= price * maxDuration < 2^128 (checked when the price was set)
        uint128 received = _pull(token, price * extraDuration);
        deposit += received;
        lease.deposit = uint128(deposit);
        if (status == Status.Active) end = _end(lease.start, deposit, price);
        emit LeaseToppedUp(leaseId, msg.sender, received, uint64(end));
    }

    /// @inheritdoc IComputeMarketplace
    function withdrawEarnings(uint256 leaseId) external nonReentrant returns (uint256 amount) {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Active);
        Offer storage offer = _offers[lease.offerId];
        if (msg.sender != offer.provider) revert NotProvider(msg.sender);
        uint256 streamed = _streamed(lease.start, lease.pricePerSecond, lease.deposit);
        uint256 withdrawn = lease.withdrawn;
        if (streamed == withdrawn) return 0;
        uint256 fee;
        (amount, fee) = _netOfFee(streamed, withdrawn, lease.feeBps);
        lease.withdrawn = uint128(streamed); // streamed <= deposit < 2^128
        address token = offer.paymentToken;
        _accrueFee(token, fee);
        emit EarningsWithdrawn(leaseId, msg.sender, amount, fee);
        _send(token, msg.sender, amount);
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
        Lease storage lease = _lease(leaseId);
        Status status = lease.status;
        if (status != Status.Active && status != Status.Disputed) revert WrongStatus(leaseId, status);
        if (msg.sender != _offers[lease.offerId].provider) revert NotProvider(msg.sender);
        if (resultHash == bytes32(0)) revert InvalidParameter();
        bytes32 existing = lease.resultHash;
        if (existing != bytes32(0)) revert ResultAlreadySubmitted(leaseId, existing);
        lease.resultHash = resultHash;
        emit ResultSubmitted(leaseId, msg.sender, resultHash);
    }

    /// @inheritdoc IComputeMarketplace
    /// @dev A running lease stops at once (the client is refunded the unearned rest); what was earned and not yet
    ///      withdrawn is frozen for the arbiter; the collateral stays locked until the ruling.
    function dispute(uint256 leaseId, bytes32 reasonHash) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Active);
        if (msg.sender != lease.client) revert NotClient(msg.sender);
        uint256 end = _end(lease.start, lease.deposit, lease.pricePerSecond);
        uint256 deadline = end + disputeWindow;
        if (block.timestamp > deadline) revert DisputeWindowClosed(leaseId, uint64(deadline));
        uint256 refund = block.timestamp < end ? _stopNow(lease, leaseId) : 0;
        uint128 frozen = lease.deposit - lease.withdrawn;
        lease.frozen = frozen;
        lease.disputedAt = uint40(block.timestamp);
        lease.status = Status.Disputed;
        emit DisputeOpened(leaseId, msg.sender, reasonHash, frozen, refund);
        if (refund != 0) _send(_offers[lease.offerId].paymentToken, msg.sender, refund);
    }

    /// @inheritdoc IComputeMarketplace
    /// @dev The client gets `floor(frozen * clientShareBps / 10_000)` plus the slash; the provider the rest of the
    ///      frozen amount less the fee; unslashed collateral returns to the provider's free stake. A ruling that
    ///      gives the client more than half, or slashes, counts as a dispute lost by the provider.
    function resolveDispute(uint256 leaseId, uint16 clientShareBps, uint256 slashAmount) external nonReentrant {
        if (msg.sender != arbiter) revert NotArbiter(msg.sender);
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Disputed);
        uint64 deadline = uint64(lease.disputedAt) + arbitrationWindow;
        if (block.timestamp > deadline) revert ArbitrationWindowClosed(leaseId, deadline);
        if (clientShareBps > BPS) revert InvalidShare(clientShareBps);
        if (slashAmount > lease.collateral) revert SlashExceedsCollateral(slashAmount, lease.collateral);
        uint256 clientAmount = uint256(lease.frozen) * clientShareBps / BPS;
        _settleDispute(lease, leaseId, clientAmount, uint128(slashAmount), clientShareBps > BPS / 2, false);
    }

    /// @inheritdoc IComputeMarketplace
    function resolveDisputeByTimeout(uint256 leaseId) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Disputed);
        uint64 deadline = uint64(lease.disputedAt) + arbitrationWindow;
        if (block.timestamp <= deadline) revert ArbitrationWindowOpen(leaseId, deadline);
        _settleDispute(lease, leaseId, lease.frozen, 0, false, true);
    }

    /// @inheritdoc IComputeMarketplace
    function finalize(uint256 leaseId) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Active);
        uint128 deposit = lease.deposit;
        uint256 deadline = _end(lease.start, deposit, lease.pricePerSecond) + disputeWindow;
        if (block.timestamp <= deadline) revert DisputeWindowOpen(leaseId, uint64(deadline));
        Offer storage offer = _offers[lease.offerId];
        address provider = offer.provider;
        (uint256 amount, uint256 fee) = _netOfFee(deposit, lease.withdrawn, lease.feeBps);
        lease.withdrawn = deposit; // the whole deposit has streamed
        lease.status = Status.Finalized;
        uint128 collateral = lease.collateral;
        Provider storage info = _providers[provider];
        info.lockedStake -= collateral;
        info.freeStake += collateral;
        ++info.leasesCompleted;
        address token = offer.paymentToken;
        _accrueFee(token, fee);
        emit LeaseFinalized(leaseId, msg.sender, amount, fee, collateral);
        _payOrCredit(token, provider, amount);
    }

    // =============================================================================================== payouts

    /// @inheritdoc IComputeMarketplace
    function withdrawCredit(address token) external nonReentrant returns (uint256 amount) {
        amount = _credits[token][msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        _credits[token][msg.sender] = 0;
        emit CreditWithdrawn(token, msg.sender, amount);
        _send(token, msg.sender, amount);
    }

    /// @inheritdoc IComputeMarketplace
    function withdrawFees(address token) external nonReentrant returns (uint256 amount) {
        if (msg.sender != treasury) revert NotTreasury(msg.sender);
        TokenInfo storage info = _tokens[token];
        amount = info.fees;
        if (amount == 0) revert NothingToWithdraw();
        info.fees = 0;
        emit FeesWithdrawn(token, msg.sender, amount);
        _send(token, msg.sender, amount);
    }

    // =============================================================================================== admin

    /// @notice Allows or disallows `token` for new offers, leases and top-ups (running leases still pay out).
    function setTokenAllowed(address token, bool allowed) external onlyOwner {
        if (token == address(0)) revert InvalidParameter();
        _tokens[token].allowed = allowed;
        emit TokenAllowed(token, allowed);
    }

    /// @notice Sets the fee for leases opened from now on (running leases keep their snapshot).
    function setFeeBps(uint16 newFeeBps) external onlyOwner {
        if (newFeeBps > MAX_FEE_BPS) revert FeeTooHigh(newFeeBps);
        feeBps = newFeeBps;
        emit FeeSet(newFeeBps);
    }

    /// @notice Sets the treasury, which alone can withdraw accrued fees.
    function setTreasury(address newTreasury) external onlyOwner {
        if (newTreasury == address(0)) revert InvalidParameter();
        treasury = newTreasury;
        emit TreasurySet(newTreasury);
    }

    /// @notice Proposes a new arbiter, installable after `ARBITER_DELAY` (parties see it coming).
    function proposeArbiter(address newArbiter) external onlyOwner {
        if (newArbiter == address(0)) revert InvalidParameter();
        uint64 eta = uint64(block.timestamp) + ARBITER_DELAY;
        pendingArbiter = newArbiter;
        arbiterEta = eta;
        emit ArbiterProposed(newArbiter, eta);
    }

    /// @notice Withdraws the pending arbiter proposal.
    function cancelArbiterProposal() external onlyOwner {
        address pending = pendingArbiter;
        if (pending == address(0)) revert NoPendingArbiter();
        delete pendingArbiter;
        delete arbiterEta;
        emit ArbiterProposalCancelled(pending);
    }

    /// @notice Installs the pending arbiter once its delay has passed; anyone may call.
    function executeArbiter() external {
        address pending = pendingArbiter;
        if (pending == address(0)) revert NoPendingArbiter();
        if (block.timestamp < arbiterEta) revert ArbiterTimelockActive(arbiterEta);
        arbiter = pending;
        delete pendingArbiter;
        delete arbiterEta;
        emit ArbiterSet(pending);
    }

    /// @notice Stops new offers, leases, top-ups and stake deposits. Exits keep working.
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Lifts the pause.
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @notice Sends `to` whatever `token` balance exceeds what the contract owes (tokens sent by mistake).
    function recoverSurplus(address token, address to) external onlyOwner nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert InvalidParameter();
        uint256 balance = IERC20(token).balanceOf(address(this));
        uint256 owed = _tokens[token].owed;
        if (balance <= owed) revert NothingToWithdraw();
        amount = balance - owed;
        emit SurplusRecovered(token, to, amount);
        IERC20(token).safeTransfer(to, amount); // not `_send`: the surplus was never part of `owed`
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
    function getLease(uint256 leaseId) external view returns (LeaseView memory view_) {
        Lease storage lease = _lease(leaseId);
        Offer storage offer = _offers[lease.offerId];
        view_.offerId = lease.offerId;
        view_.client = lease.client;
        view_.provider = offer.provider;
        view_.paymentToken = offer.paymentToken;
        view_.pricePerSecond = lease.pricePerSecond;
        view_.deposit = lease.deposit;
        view_.start = lease.start;
        view_.feeBps = lease.feeBps;
        view_.status = lease.status;
        view_.withdrawn = lease.withdrawn;
        view_.collateral = lease.collateral;
        view_.frozen = lease.frozen;
        view_.disputedAt = lease.disputedAt;
        view_.resultHash = lease.resultHash;
        if (lease.status != Status.Open && lease.status != Status.Cancelled) {
            view_.end = uint64(_end(lease.start, lease.deposit, lease.pricePerSecond));
        }
    }

    /// @inheritdoc IComputeMarketplace
    function earned(uint256 leaseId) external view returns (uint256 amount) {
        Lease storage lease = _lease(leaseId);
        if (lease.status != Status.Active) return 0;
        uint256 streamed = _streamed(lease.start, lease.pricePerSecond, lease.deposit);
        (amount,) = _netOfFee(streamed, lease.withdrawn, lease.feeBps);
    }

    /// @inheritdoc IComputeMarketplace
    function refundable(uint256 leaseId) external view returns (uint256) {
        Lease storage lease = _lease(leaseId);
        if (lease.status == Status.Open) return lease.deposit;
        if (lease.status != Status.Active) return 0;
        return lease.deposit - _streamed(lease.start, lease.pricePerSecond, lease.deposit);
    }

    /// @inheritdoc IComputeMarketplace
    function providerInfo(address provider) external view returns (ProviderInfo memory) {
        Provider storage info = _providers[provider];
        return ProviderInfo({
            registered: info.registered,
            freeStake: info.freeStake,
            lockedStake: info.lockedStake,
            pendingStake: info.pendingStake,
            unlockAt: info.unlockAt,
            leasesCompleted: info.leasesCompleted,
            disputesLost: info.disputesLost,
            totalSlashed: info.totalSlashed,
            metadataURI: _metadataURIs[provider]
        });
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

    // =============================================================================================== internals

    function _offer(uint256 offerId) private view returns (Offer storage offer) {
        offer = _offers[offerId];
        if (offer.provider == address(0)) revert UnknownOffer(offerId);
    }

    function _ownOffer(uint256 offerId) private view returns (Offer storage offer) {
        offer = _offer(offerId);
        if (offer.provider != msg.sender) revert NotProvider(msg.sender);
    }

    function _lease(uint256 leaseId) private view returns (Lease storage lease) {
        lease = _leases[leaseId];
        if (lease.status == Status.None) revert UnknownLease(leaseId);
    }

    function _registered(address account) private view returns (Provider storage provider) {
        provider = _providers[account];
        if (!provider.registered) revert NotRegistered(account);
    }

    function _requireStatus(Lease storage lease, uint256 leaseId, Status expected) private view {
        Status status = lease.status;
        if (status != expected) revert WrongStatus(leaseId, status);
    }

    /// @dev A price must be non-zero and a full-length lease at that price must fit the 128-bit deposit.
    function _checkPrice(uint256 pricePerSecond, uint64 maxDuration) private pure {
        if (pricePerSecond == 0) revert InvalidParameter();
        if (pricePerSecond > type(uint128).max / maxDuration) revert AmountTooLarge(pricePerSecond);
    }

    /// @dev End of the paid time: the deposit covers `ceil(deposit / price)` seconds (the last one partly when a
    ///      fee-on-transfer token delivered less than `price * duration`).
    function _end(uint256 start, uint256 deposit, uint256 price) private pure returns (uint256) {
        return start + Math.ceilDiv(deposit, price);
    }

    /// @dev What an accepted lease has earned by now: `min((now - start) * price, deposit)`.
    function _streamed(uint256 start, uint256 price, uint256 deposit) private view returns (uint256) {
        // (now - start) < 2^40 and price < 2^128: no overflow
        return Math.min((block.timestamp - start) * price, deposit);
    }

    /// @dev Stops a running lease now: the deposit shrinks to what has streamed and the rest is returned as the
    ///      refund, so `end` becomes now. Callers check the lease is Active; reverts if it has already ended.
    function _stopNow(Lease storage lease, uint256 leaseId) private returns (uint256 refund) {
        uint256 start = lease.start;
        uint256 price = lease.pricePerSecond;
        uint256 deposit = lease.deposit;
        uint256 end = _end(start, deposit, price);
        if (block.timestamp >= end) revert LeaseEnded(leaseId, uint64(end));
        // now < end = start + ceil(deposit / price), so (now - start) * price < deposit
        uint256 streamed = (block.timestamp - start) * price;
        lease.deposit = uint128(streamed);
        refund = deposit - streamed;
    }

    /// @dev The fee is charged on cumulative earnings: moving the provider's total from `from` to `to` costs
    ///      `floor(to * fee) - floor(from * fee)`, never more than `to - from` (fee <= 10%).
    function _netOfFee(uint256 to, uint256 from, uint16 leaseFeeBps)
        private
        pure
        returns (uint256 amount, uint256 fee)
    {
        fee = to * leaseFeeBps / BPS - from * leaseFeeBps / BPS;
        amount = to - from - fee;
    }

    /// @dev Ends a dispute: `clientAmount` of the frozen earnings and `slash` of the collateral (stake token) are
    ///      credited to the client, the rest of the frozen earnings to the provider (less the fee).
    function _settleDispute(
        Lease storage lease,
        uint256 leaseId,
        uint256 clientAmount,
        uint128 slash,
        bool lost,
        bool byTimeout
    ) private {
        uint256 frozen = lease.frozen;
        uint256 providerGross = frozen - clientAmount; // clientAmount <= frozen
        uint256 withdrawn = lease.withdrawn;
        (uint256 providerAmount, uint256 fee) = _netOfFee(withdrawn + providerGross, withdrawn, lease.feeBps);
        // the client's part leaves the lease: it now holds exactly the provider's part, paid below
        lease.deposit = uint128(withdrawn + providerGross);
        lease.withdrawn = uint128(withdrawn + providerGross);
        lease.frozen = 0;
        lease.status = Status.Resolved;

        Offer storage offer = _offers[lease.offerId];
        address provider = offer.provider;
        Provider storage info = _providers[provider];
        uint128 collateral = lease.collateral;
        info.lockedStake -= collateral;
        info.freeStake += collateral - slash; // slash <= collateral
        if (slash != 0) info.totalSlashed += slash;
        if (lost || slash != 0) ++info.disputesLost;

        address token = offer.paymentToken;
        address client = lease.client;
        _accrueFee(token, fee);
        emit DisputeResolved(leaseId, clientAmount, providerGross, slash, byTimeout);
        _credit(token, client, clientAmount);
        _credit(token, provider, providerAmount);
        _credit(address(stakeToken), client, slash);
    }

    /// @dev Pulls `amount` from the caller and returns what arrived (balance delta), added to what is owed.
    function _pull(address token, uint256 amount) private returns (uint128 received) {
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 arrived = IERC20(token).balanceOf(address(this)) - before;
        TokenInfo storage info = _tokens[token];
        uint256 owed = info.owed + arrived;
        if (owed > type(uint120).max) revert AmountTooLarge(owed);
        info.owed = uint120(owed);
        received = uint128(arrived); // arrived <= owed < 2^120
    }

    /// @dev Sends `amount` to `to` and removes it from what is owed.
    function _send(address token, address to, uint256 amount) private {
        _tokens[token].owed -= uint120(amount); // amount is part of owed, so below 2^120
        IERC20(token).safeTransfer(to, amount);
    }

    /// @dev Pays the caller directly; anyone else is credited, so a blocked or hostile recipient cannot block the
    ///      caller's action.
    function _payOrCredit(address token, address account, uint256 amount) private {
        if (amount == 0) return;
        if (account == msg.sender) _send(token, account, amount);
        else _credit(token, account, amount);
    }

    function _credit(address token, address account, uint256 amount) private {
        if (amount == 0) return;
        _credits[token][account] += amount;
        emit Credited(token, account, amount);
    }

    function _accrueFee(address token, uint256 fee) private {
        if (fee != 0) _tokens[token].fees += uint120(fee); // fee is part of owed, so below 2^120
    }
}
