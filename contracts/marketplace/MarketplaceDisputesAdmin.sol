// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMarketplaceDisputesAdmin} from "./interfaces/IComputeMarketplace.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {MarketplaceBase} from "./MarketplaceBase.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";

/// @title MarketplaceDisputesAdmin
/// @notice Disputes (open, rule, time out) and the admin powers of the `ComputeMarketplace`, which deploys this
///         contract and runs its functions by `delegatecall` on the marketplace's own storage (the split keeps the
///         marketplace under the EIP-170 size limit). Called directly it acts on its own empty storage and the
///         registry refuses it, so it can neither move nor lock anything.
contract MarketplaceDisputesAdmin is IMarketplaceDisputesAdmin, MarketplaceBase {
    using SafeERC20 for IERC20;

    /// @dev Same parameters as the marketplace that deploys it (they are compiled into the code, not stored).
    constructor(
        IERC20 stakeToken_,
        ProviderRegistry registry_,
        uint16 collateralBps_,
        uint64 acceptWindow_,
        uint64 disputeWindow_,
        uint64 arbitrationWindow_,
        uint64 holdback_,
        uint16 disputeBondBps_,
        address admin
    )
        MarketplaceBase(
            stakeToken_,
            registry_,
            collateralBps_,
            acceptWindow_,
            disputeWindow_,
            arbitrationWindow_,
            holdback_,
            disputeBondBps_,
            admin
        )
    {}

    // =============================================================================================== rarer lease steps
    // (here rather than in the marketplace to keep it under the size limit; called at the marketplace's address)

    /// @notice Cancels an open lease with a full refund: the client or provider at any time, anyone once the accept
    ///         window has lapsed (`IComputeMarketplace.cancelLease`).
    function cancelLease(uint256 leaseId) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Open);
        Offer storage offer = _offers[lease.offerId];
        address client = lease.client;
        if (msg.sender != client && msg.sender != offer.provider) {
            uint64 deadline = uint64(lease.start) + acceptWindow;
            if (block.timestamp <= deadline) revert AcceptWindowOpen(leaseId, deadline);
        }
        uint256 refund = lease.deposit; // kept: `getLease` shows a cancelled lease's deposit as all refunded
        lease.status = Status.Cancelled;
        emit LeaseCancelled(leaseId, msg.sender, refund);
        _payOrCredit(offer.paymentToken, client, refund);
    }

    /// @notice Client only: extends an accepted, running lease (`IComputeMarketplace.topUp`).
    /// @dev Paused with other inflows. Only the client, only once accepted (an open lease's terms are what the
    ///      provider accepts), never below the offer's current price or on an inactive offer (no extension the
    ///      provider has not offered), never after the fee for new leases rose above the lease's or the token's rate
    ///      was set again (the lease keeps its snapshot), and the collateral for what arrives is locked like the rest.
    function topUp(uint256 leaseId, uint64 extraDuration) external nonReentrant whenNotPaused {
        Lease storage lease = _lease(leaseId);
        if (msg.sender != lease.client) revert NotClient(msg.sender);
        _requireStatus(lease, leaseId, Status.Active);
        // a stopped lease has ended (its end is its stop), so from here on it holds its whole deposit
        (uint256 start, uint256 price, uint256 deposit, uint256 end) = _terms(lease);
        if (block.timestamp >= end) revert LeaseEnded(leaseId, uint64(end));
        uint256 paidSeconds = end - start;
        uint256 offerId = lease.offerId;
        Offer storage offer = _offers[offerId];
        if (!offer.active) revert OfferInactive(offerId);
        if (offer.pricePerSecond > price) revert PriceAboveMax(offer.pricePerSecond, price);
        if (extraDuration == 0 || paidSeconds + extraDuration > offer.maxDuration) {
            revert DurationOutOfRange(paidSeconds + extraDuration, offer.minDuration, offer.maxDuration);
        }
        address token = offer.paymentToken;
        TokenInfo storage info = _tokens[token];
        if (!info.allowed) revert TokenNotAllowed(token);
        uint16 rateId = lease.rateId;
        uint16 leaseFeeBps = lease.feeBps;
        // the extension keeps the lease's fee and rate, so it is refused once either moved against the protocol: a
        // higher fee for new leases or any new rate for the token (even the same value set again)
        if (info.rateId != rateId || feeBps > leaseFeeBps) {
            revert TopUpTermsChanged(leaseId, leaseFeeBps, feeBps, rateId, info.rateId);
        }
        // price < 2^96 and extraDuration <= maxDuration < 2^32
        (, uint256 pulled) = _pullFrom(token, price * extraDuration, true);
        uint128 received = uint128(pulled); // below 2^112 (what is owed in the token)
        uint128 extra = _collateral(received, rateId);
        deposit += received;
        // the deposit is what the client paid in; with withdrawals in between it can exceed what is owed
        if (deposit > type(uint112).max) revert AmountTooLarge(deposit);
        lease.deposit = uint112(deposit);
        if (extra != 0) {
            lease.collateral += extra;
            registry.lock(offer.provider, extra);
        }
        emit LeaseToppedUp(leaseId, msg.sender, received, uint64(_end(start, deposit, price)), extra);
    }

    /// @notice Pays the provider and releases its collateral: anyone after the end plus the dispute window, or the
    ///         client from the end (`IComputeMarketplace.finalize`).
    function finalize(uint256 leaseId) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Active);
        (,, uint256 held, uint256 end) = _terms(lease);
        if (msg.sender == lease.client) {
            if (block.timestamp < end) revert LeaseNotEnded(leaseId, uint64(end));
        } else if (block.timestamp <= end + disputeWindow) {
            revert DisputeWindowOpen(leaseId, uint64(end + disputeWindow));
        }
        Offer storage offer = _offers[lease.offerId];
        address provider = offer.provider;
        (uint256 amount, uint256 fee) = _netOfFee(held, lease.withdrawn, lease.feeBps);
        lease.withdrawn = uint112(held); // all it holds has streamed (held <= deposit < 2^112)
        lease.status = Status.Finalized;
        address token = offer.paymentToken;
        _accrueFee(token, fee);
        emit LeaseFinalized(leaseId, msg.sender, amount, fee, lease.collateral);
        _release(lease, provider, 0, held, IProviderRegistry.Outcome.Finalized);
        _payOrCredit(token, provider, amount);
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function releaseExcessCollateral(uint256 leaseId) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Active);
        (,, uint256 held,) = _terms(lease);
        _shrinkCollateral(lease, leaseId, _offers[lease.offerId].provider, held);
    }

    // =============================================================================================== disputes

    /// @inheritdoc IMarketplaceDisputesAdmin
    /// @dev A running lease stops at once (the client is refunded the unearned rest, its collateral shrinks to that
    ///      of what it still holds); everything earned and not yet withdrawn is frozen, which is at least the last
    ///      `holdback` seconds of earnings before the dispute or the end; the arbiter fixed at acceptance rules;
    ///      the collateral of what the lease (still) holds stays locked until the ruling, since a slash may take
    ///      all of it. The bond is `disputeBondBps` of what the dispute puts at stake: the frozen amount or, when
    ///      larger, the payment-token value of that collateral (`collateralBps` of what it holds). It is the same
    ///      whatever the order of close and dispute: held back from the refund, then taken from the client's credit
    ///      in the token (where a close credited the refund), then pulled; what the token refuses to pull is
    ///      deferred (`_deferredBonds`), so the client's own blocklisting never stops its dispute.
    function dispute(uint256 leaseId, bytes32 reasonHash) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Active);
        address client = lease.client;
        if (msg.sender != client) revert NotClient(msg.sender);
        (,, uint256 held, uint256 end) = _terms(lease);
        uint256 deadline = end + disputeWindow;
        if (block.timestamp > deadline) revert DisputeWindowClosed(leaseId, uint64(deadline));
        Offer storage offer = _offers[lease.offerId];
        uint256 refund = 0; // a lease that has ended (or was closed) refunds nothing more
        if (block.timestamp < end) {
            refund = _stopNow(lease, leaseId);
            held -= refund; // what had streamed by now
        }
        _shrinkCollateral(lease, leaseId, offer.provider, held); // keeps the collateral of what the lease holds
        uint128 frozen = uint128(held - lease.withdrawn); // held < 2^112
        // effects before any interaction (the bond's pull, the refund)
        lease.frozen = frozen;
        lease.disputedAt = uint40(block.timestamp);
        lease.status = Status.Disputed;
        address token = offer.paymentToken;
        // held < 2^112 and both bps <= 10_000: no overflow
        uint256 bond = Math.max(frozen, held * collateralBps / BPS) * disputeBondBps / BPS;
        uint256 due = bond;
        uint256 fromRefund = Math.min(due, refund);
        refund -= fromRefund;
        due -= fromRefund;
        uint256 deferred = 0; // the part of the bond the token refused to pull
        if (due != 0) {
            uint256 credited = _credits[token][client];
            uint256 fromCredit = Math.min(due, credited);
            if (fromCredit != 0) {
                _credits[token][client] = credited - fromCredit; // stays part of `owed`, now as the bond
                due -= fromCredit;
                emit CreditSpent(token, client, fromCredit);
            }
            if (due != 0) {
                // what arrives counts (balance delta); a refused pull defers the rest instead of reverting
                (bool ok, uint256 received) = _pullFrom(token, due, false);
                if (ok) bond = bond - due + received;
                else (bond, deferred) = (bond - due, due);
            }
        }
        _bonds[leaseId] = bond;
        if (deferred != 0) _deferredBonds[leaseId] = deferred;
        emit DisputeOpened(leaseId, client, reasonHash, frozen, refund, bond, deferred);
        _payOrCredit(token, client, refund);
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    /// @dev Only the arbiter fixed when the lease was accepted. The client gets
    ///      `floor(frozen * clientShareBps / 10_000)` plus the slash; the provider the rest of the frozen amount
    ///      less the fee; unslashed collateral returns to the provider's free stake. A ruling that gives the client
    ///      more than half, or slashes, counts as a dispute lost by the provider, any other as won.
    function resolveDispute(uint256 leaseId, uint16 clientShareBps, uint256 slashAmount) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Disputed);
        if (msg.sender != _arbiters[lease.arbiterId]) revert NotArbiter(msg.sender);
        uint64 deadline = uint64(lease.disputedAt) + arbitrationWindow;
        if (block.timestamp > deadline) revert ArbitrationWindowClosed(leaseId, deadline);
        if (clientShareBps > BPS) revert InvalidShare(clientShareBps);
        if (slashAmount > lease.collateral) revert SlashExceedsCollateral(slashAmount, lease.collateral);
        uint256 clientAmount = uint256(lease.frozen) * clientShareBps / BPS;
        bool lost = clientShareBps > BPS / 2 || slashAmount != 0;
        _settleDispute(
            lease,
            leaseId,
            clientAmount,
            slashAmount,
            lost ? IProviderRegistry.Outcome.DisputeLost : IProviderRegistry.Outcome.DisputeWon
        );
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    function resolveDisputeByTimeout(uint256 leaseId) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Disputed);
        uint64 deadline = uint64(lease.disputedAt) + arbitrationWindow;
        if (block.timestamp <= deadline) revert ArbitrationWindowOpen(leaseId, deadline);
        _settleDispute(lease, leaseId, lease.frozen, 0, IProviderRegistry.Outcome.TimedOut);
    }

    // =============================================================================================== admin

    /// @inheritdoc IMarketplaceDisputesAdmin
    /// @notice Allows or disallows `token` for new offers, leases and top-ups (running leases still pay out);
    ///         allowing sets its collateral rate for leases opened from now on: stake-token units per payment-token
    ///         unit times `RATE_UNIT`, decimals included (e.g. 1e30 for a 6-decimal token worth one 18-decimal
    ///         stake token). Running leases keep the rate of their opening.
    function setPaymentToken(address token, bool allowed, uint256 collateralRate) external onlyOwner {
        if (token == address(0)) revert InvalidParameter();
        TokenInfo storage info = _tokens[token];
        if (allowed) {
            if (collateralRate == 0 || collateralRate > type(uint128).max) revert InvalidParameter();
            if (info.rateId == 0 && token != address(stakeToken)) _trackedTokens.push(token);
            uint256 rateId = _rates.length;
            if (rateId > type(uint16).max) revert AmountTooLarge(rateId);
            _rates.push(collateralRate);
            info.rateId = uint16(rateId);
        } else {
            collateralRate = 0;
        }
        info.allowed = allowed;
        emit PaymentTokenSet(token, allowed, collateralRate);
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

    /// @notice Proposes a new arbiter, installable from `ARBITER_DELAY` until `ARBITER_DELAY + ARBITER_PROPOSAL_TTL`
    ///         from now (parties see it coming; leases already accepted keep their arbiter).
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

    /// @notice Installs the pending arbiter once its delay has passed and before it expires; anyone may call.
    function executeArbiter() external {
        address pending = pendingArbiter;
        if (pending == address(0)) revert NoPendingArbiter();
        uint64 eta = arbiterEta;
        if (block.timestamp < eta) revert ArbiterTimelockActive(eta);
        if (block.timestamp > eta + ARBITER_PROPOSAL_TTL) revert ArbiterProposalExpired(eta + ARBITER_PROPOSAL_TTL);
        uint256 id = _arbiters.length;
        if (id > type(uint16).max) revert AmountTooLarge(id);
        _arbiters.push(pending);
        _arbiterId = uint16(id);
        delete pendingArbiter;
        delete arbiterEta;
        emit ArbiterSet(pending);
    }

    /// @notice Sends `to` whatever `token` balance exceeds what the contract owes (tokens sent by mistake). Reverts
    ///         if it lowers the balance of any other tracked token (a second address of a token sharing its ledger,
    ///         TUSD-style: the surplus of such a token cannot be recovered) or leaves any tracked token below what
    ///         is owed in it.
    function recoverSurplus(address token, address to) external onlyOwner nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert InvalidParameter();
        uint256 balance = _balanceOf(token);
        uint256 owed = _tokens[token].owed;
        if (balance <= owed) revert NothingToWithdraw();
        amount = balance - owed;
        address[] memory tracked = _trackedTokens; // bounded by admin actions, not user data
        uint256 count = tracked.length;
        uint256[] memory before = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            before[i] = _balanceOf(tracked[i]);
        }
        emit SurplusRecovered(token, to, amount);
        IERC20(token).safeTransfer(to, amount); // not `_send`: the surplus was never part of `owed`
        for (uint256 i = 0; i < count; ++i) {
            address other = tracked[i];
            uint256 held = _balanceOf(other);
            if (other != token && held < before[i]) revert TrackedBalanceMoved(other, before[i], held);
            uint256 due = _tokens[other].owed;
            if (held < due) revert SurplusBelowOwed(other, held, due);
        }
    }

    /// @dev What a ruling or timeout moves (see `DisputeResolved`).
    struct Settlement {
        uint256 clientAmount;
        uint256 providerGross;
        uint256 providerAmount;
        uint256 fee;
        uint256 slashed;
        uint256 bond;
    }

    /// @dev Ends a dispute: `clientAmount` of the frozen earnings and `slash` of the collateral (stake token) are
    ///      credited to the client, the rest of the frozen earnings to the provider (less the fee), the bond to the
    ///      winner (see `dispute`). `deposit`, `stopOffset` and `frozen` are kept, so the lease's terms stay
    ///      readable; the client's part of the frozen earnings is `held - withdrawn`.
    function _settleDispute(
        Lease storage lease,
        uint256 leaseId,
        uint256 clientAmount,
        uint256 slash,
        IProviderRegistry.Outcome outcome
    ) private {
        // the amounts live in memory: as stack variables they do not fit the stack at every optimizer setting
        Settlement memory amounts = Settlement(0, 0, 0, 0, 0, 0); // explicit zeros (slither: uninitialized-local)
        amounts.providerGross = lease.frozen - clientAmount; // clientAmount <= frozen
        uint256 paid = lease.withdrawn + amounts.providerGross;
        (amounts.providerAmount, amounts.fee) = _netOfFee(paid, lease.withdrawn, lease.feeBps);
        lease.withdrawn = uint112(paid); // paid <= deposit < 2^112
        lease.status = Status.Resolved;

        Offer storage offer = _offers[lease.offerId];
        address provider = offer.provider;
        address token = offer.paymentToken;
        _accrueFee(token, amounts.fee);
        bool won = outcome == IProviderRegistry.Outcome.DisputeWon;
        (amounts.clientAmount, amounts.bond) = _bondAtSettlement(leaseId, clientAmount, won);
        amounts.slashed = _release(lease, provider, slash, paid, outcome); // what arrived from the registry
        address client = lease.client;
        emit DisputeResolved(
            leaseId,
            amounts.clientAmount,
            amounts.providerGross,
            amounts.fee,
            amounts.slashed,
            outcome == IProviderRegistry.Outcome.TimedOut,
            won ? provider : client,
            amounts.bond
        );
        if (won) amounts.providerAmount += amounts.bond;
        else amounts.clientAmount += amounts.bond;
        _credit(token, client, amounts.clientAmount);
        _credit(token, provider, amounts.providerAmount);
        _credit(address(stakeToken), client, amounts.slashed);
    }

    /// @dev The bond goes to the provider only when it won, with any deferred part taken from the client's share of
    ///      the frozen amount (as far as it goes); a ruling for the client and a silent arbiter return the held bond
    ///      and cancel the deferred part. Returns the client's share after that and the bond to credit.
    function _bondAtSettlement(uint256 leaseId, uint256 clientAmount, bool won)
        private
        view
        returns (uint256 clientShare, uint256 bond)
    {
        bond = _bonds[leaseId];
        clientShare = clientAmount;
        if (won) {
            uint256 taken = Math.min(_deferredBonds[leaseId], clientAmount);
            clientShare -= taken;
            bond += taken;
        }
    }

    /// @dev Pulls `amount` from the caller like `_pull` (what arrives counts, by balance delta); when not `strict`
    ///      a refused transfer (blocklisted caller, no allowance or balance) returns `(false, 0)` instead of
    ///      reverting. One function for both uses keeps the module's code small.
    function _pullFrom(address token, uint256 amount, bool strict) private returns (bool ok, uint256 received) {
        uint256 before = _balanceOf(token);
        if (strict) IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        else if (!IERC20(token).trySafeTransferFrom(msg.sender, address(this), amount)) return (false, 0);
        received = _owe(token, _balanceOf(token) - before);
        ok = true;
    }
}
