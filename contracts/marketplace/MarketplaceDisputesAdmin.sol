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

    // =============================================================================================== disputes

    /// @inheritdoc IMarketplaceDisputesAdmin
    /// @dev A running lease stops at once (the client is refunded the unearned rest); everything earned and not
    ///      yet withdrawn is frozen, which is at least the last `holdback` seconds of earnings; the arbiter in
    ///      office now is the one who may rule; the collateral stays locked until the ruling.
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
        address token = _offers[lease.offerId].paymentToken;
        // The bond is held back from the refund and never pulled, so no transfer the client's blocklisting could
        // stop is needed to dispute; a dispute after the end (nothing to refund) holds no bond.
        uint256 bond = Math.min(Math.min(uint256(frozen) * disputeBondBps / BPS, refund), type(uint96).max);
        refund -= bond;
        _disputes[leaseId] = Dispute({arbiter: arbiter, bond: uint96(bond)});
        emit DisputeOpened(leaseId, msg.sender, reasonHash, frozen, refund, bond);
        _payOrCredit(token, msg.sender, refund);
    }

    /// @inheritdoc IMarketplaceDisputesAdmin
    /// @dev Only the arbiter in office when the dispute opened. The client gets
    ///      `floor(frozen * clientShareBps / 10_000)` plus the slash; the provider the rest of the frozen amount
    ///      less the fee; unslashed collateral returns to the provider's free stake. A ruling that gives the client
    ///      more than half, or slashes, counts as a dispute lost by the provider, any other as won.
    function resolveDispute(uint256 leaseId, uint16 clientShareBps, uint256 slashAmount) external nonReentrant {
        Lease storage lease = _lease(leaseId);
        _requireStatus(lease, leaseId, Status.Disputed);
        if (msg.sender != _disputes[leaseId].arbiter) revert NotArbiter(msg.sender);
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
            if (rateId > type(uint24).max) revert AmountTooLarge(rateId);
            _rates.push(collateralRate);
            info.rateId = uint24(rateId);
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
    ///         from now (parties see it coming; disputes already open keep their arbiter).
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
        arbiter = pending;
        delete pendingArbiter;
        delete arbiterEta;
        emit ArbiterSet(pending);
    }

    /// @notice Sends `to` whatever `token` balance exceeds what the contract owes (tokens sent by mistake). Reverts
    ///         if afterwards any tracked token's balance is below what is owed in it (a second address of a
    ///         tracked token cannot be used to take its escrow).
    function recoverSurplus(address token, address to) external onlyOwner nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert InvalidParameter();
        uint256 balance = IERC20(token).balanceOf(address(this));
        uint256 owed = _tokens[token].owed;
        if (balance <= owed) revert NothingToWithdraw();
        amount = balance - owed;
        emit SurplusRecovered(token, to, amount);
        IERC20(token).safeTransfer(to, amount); // not `_send`: the surplus was never part of `owed`
        uint256 count = _trackedTokens.length; // bounded by admin actions, not user data
        for (uint256 i = 0; i < count; ++i) {
            address tracked = _trackedTokens[i];
            uint256 held = IERC20(tracked).balanceOf(address(this));
            uint256 due = _tokens[tracked].owed;
            if (held < due) revert SurplusBelowOwed(tracked, held, due);
        }
    }

    /// @dev Ends a dispute: `clientAmount` of the frozen earnings and `slash` of the collateral (stake token) are
    ///      credited to the client, the rest of the frozen earnings to the provider (less the fee). `deposit` and
    ///      `frozen` are kept, so the lease's terms stay readable; the client's part is `deposit - withdrawn`.
    function _settleDispute(
        Lease storage lease,
        uint256 leaseId,
        uint256 clientAmount,
        uint256 slash,
        IProviderRegistry.Outcome outcome
    ) private {
        uint256 providerGross = lease.frozen - clientAmount; // clientAmount <= frozen
        uint256 withdrawn = lease.withdrawn;
        uint256 paid = withdrawn + providerGross;
        (uint256 providerAmount, uint256 fee) = _netOfFee(paid, withdrawn, lease.feeBps);
        lease.withdrawn = uint128(paid); // paid <= deposit
        lease.status = Status.Resolved;

        Offer storage offer = _offers[lease.offerId];
        address provider = offer.provider;
        address token = offer.paymentToken;
        address client = lease.client;
        _accrueFee(token, fee);
        // the bond goes to the provider only when it won; a ruling for the client and a silent arbiter return it
        bool providerWon = outcome == IProviderRegistry.Outcome.DisputeWon;
        uint256 bond = _disputes[leaseId].bond;
        emit DisputeResolved(
            leaseId,
            clientAmount,
            providerGross,
            slash,
            outcome == IProviderRegistry.Outcome.TimedOut,
            providerWon ? provider : client,
            bond
        );
        uint256 slashed = _release(lease, provider, slash, paid, outcome);
        _credit(token, client, providerWon ? clientAmount : clientAmount + bond);
        _credit(token, provider, providerWon ? providerAmount + bond : providerAmount);
        _credit(address(stakeToken), client, slashed);
    }

}
