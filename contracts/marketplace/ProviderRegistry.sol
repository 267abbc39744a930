// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";

/// @dev What the registry needs of the Compute rewards contract.
interface IWorkReporter {
    function reportWork(address provider, uint256 value, uint256 fee) external;
    function reporter() external view returns (address);
}

/// @title ProviderRegistry
/// @notice Provider registration, stake and reputation for one `ComputeMarketplace`, which deploys it and alone
///         locks collateral at acceptance, releases (and slashes) it when a lease ends and records the outcome.
/// @dev Holds only stake-token stake: `totalStake` is exactly free + locked + pending over all providers, grown by
///      what arrives (balance delta) and shrunk by what is sent. Slashed stake is sent to the marketplace, which
///      credits it to the client in its own ledger.
contract ProviderRegistry is IProviderRegistry, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The token providers stake.
    IERC20 public immutable stakeToken;
    /// @notice The marketplace this registry serves (its deployer).
    address public immutable marketplace;
    /// @notice Seconds between an unstake request and the withdrawal.
    uint64 public immutable unstakeCooldown;

    /// @dev Slot 1 is what accept and release touch; slot 2 unstaking and counters; slot 3 reputation by value.
    struct Provider {
        uint128 freeStake;
        uint128 lockedStake;
        uint128 pendingStake;
        uint64 unlockAt;
        uint32 leasesCompleted;
        uint32 disputesLost;
        uint128 totalSlashed;
        uint32 disputesWon;
        bool registered;
        uint256 valueFinalized;
    }

    mapping(address provider => Provider) private _providers;
    mapping(address provider => string) private _metadataURIs;
    /// @inheritdoc IProviderRegistry
    uint256 public totalStake;
    /// @inheritdoc IProviderRegistry
    address public rewards;

    /// @notice Gas the rewards report is given (and that a release must have left for it). Its worst case, the
    ///         first report after an epoch boundary (a checkpoint writing fresh slots), used about 140,000 when
    ///         measured (the finalize gas snapshot with and without rewards), so the budget leaves about 60,000 over.
    uint256 public constant REWARDS_GAS = 200_000;

    /// @param stakeToken_ Token providers stake.
    /// @param unstakeCooldown_ Seconds between an unstake request and the withdrawal.
    constructor(IERC20 stakeToken_, uint64 unstakeCooldown_) {
        stakeToken = stakeToken_;
        marketplace = msg.sender;
        unstakeCooldown = unstakeCooldown_;
    }

    modifier onlyMarketplace() {
        if (msg.sender != marketplace) revert NotMarketplace(msg.sender);
        _;
    }

    /// @inheritdoc IProviderRegistry
    /// @dev Set once, by the marketplace's owner: nobody can later redirect reports (governance can still move the
    ///      splitter's Compute bucket away from a faulty rewards contract), and a rewards contract can never block a
    ///      release: it runs with a fixed gas budget, its failure is ignored and its return data is never copied.
    function setRewards(address rewards_) external {
        if (msg.sender != Ownable(marketplace).owner()) revert NotMarketplaceOwner(msg.sender);
        address current = rewards;
        if (current != address(0)) revert RewardsAlreadySet(current);
        if (rewards_.code.length == 0 || IWorkReporter(rewards_).reporter() != address(this)) {
            revert RewardsMismatch(rewards_);
        }
        rewards = rewards_;
        emit RewardsSet(rewards_);
    }

    /// @inheritdoc IProviderRegistry
    function registerProvider(string calldata metadataURI) external {
        _providers[msg.sender].registered = true;
        _metadataURIs[msg.sender] = metadataURI;
        emit ProviderRegistered(msg.sender, metadataURI);
    }

    /// @inheritdoc IProviderRegistry
    /// @dev An inflow: refused while the marketplace is paused.
    function depositStake(uint256 amount) external nonReentrant {
        Provider storage provider = _providers[msg.sender];
        if (!provider.registered) revert NotRegistered(msg.sender);
        if (amount == 0) revert InvalidParameter();
        if (Pausable(marketplace).paused()) revert EnforcedPause();
        uint256 before = stakeToken.balanceOf(address(this));
        stakeToken.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = stakeToken.balanceOf(address(this)) - before;
        uint256 total = totalStake + received;
        if (total > type(uint128).max) revert AmountTooLarge(total);
        totalStake = total;
        provider.freeStake += uint128(received); // received <= total < 2^128
        emit StakeDeposited(msg.sender, received);
    }

    /// @inheritdoc IProviderRegistry
    function requestUnstake(uint256 amount) external {
        Provider storage provider = _providers[msg.sender];
        uint256 free = provider.freeStake;
        if (amount == 0) revert InvalidParameter();
        if (amount > free) revert InsufficientStake(free, amount);
        uint64 unlockAt = uint64(block.timestamp) + unstakeCooldown;
        // amount <= freeStake, and pending + free never exceeds totalStake < 2^128
        unchecked {
            provider.freeStake = uint128(free - amount);
            provider.pendingStake += uint128(amount);
        }
        provider.unlockAt = unlockAt;
        emit UnstakeRequested(msg.sender, amount, unlockAt);
    }

    /// @inheritdoc IProviderRegistry
    function cancelUnstake() external {
        Provider storage provider = _providers[msg.sender];
        uint128 pending = provider.pendingStake;
        if (pending == 0) revert NothingPending();
        provider.pendingStake = 0;
        provider.unlockAt = 0;
        provider.freeStake += pending;
        emit UnstakeCancelled(msg.sender, pending);
    }

    /// @inheritdoc IProviderRegistry
    function withdrawStake() external returns (uint256 amount) {
        return withdrawStakeTo(msg.sender);
    }

    /// @inheritdoc IProviderRegistry
    function withdrawStakeTo(address recipient) public nonReentrant returns (uint256 amount) {
        if (recipient == address(0)) revert InvalidParameter();
        Provider storage provider = _providers[msg.sender];
        amount = provider.pendingStake;
        if (amount == 0) revert NothingPending();
        if (block.timestamp < provider.unlockAt) revert CooldownActive(provider.unlockAt);
        provider.pendingStake = 0;
        provider.unlockAt = 0;
        totalStake -= amount;
        emit StakeWithdrawn(msg.sender, recipient, amount);
        stakeToken.safeTransfer(recipient, amount);
    }

    /// @inheritdoc IProviderRegistry
    /// @dev No event of its own: the marketplace's `LeaseAccepted` and `LeaseToppedUp` carry the provider and the
    ///      amount locked (one event per state change, and a cheaper acceptance).
    function lock(address provider, uint256 amount) external onlyMarketplace {
        Provider storage info = _providers[provider];
        uint128 free = info.freeStake;
        if (free < amount) revert InsufficientStake(free, amount);
        // amount <= free < 2^128, and locked + free <= totalStake < 2^128
        unchecked {
            info.freeStake = free - uint128(amount);
            info.lockedStake += uint128(amount);
        }
    }

    /// @inheritdoc IProviderRegistry
    function unlock(address provider, uint256 amount) external onlyMarketplace {
        Provider storage info = _providers[provider];
        info.lockedStake -= uint128(amount); // the marketplace unlocks part of what it locked
        info.freeStake += uint128(amount);
        emit CollateralUnlocked(provider, amount);
    }

    /// @inheritdoc IProviderRegistry
    /// @dev A lease counts as completed only when it delivered value (`value` from a non-zero delivery) with
    ///      collateral at stake until its end (a dust lease whose collateral rounds to zero counts for nothing).
    function release(address provider, uint256 collateral, uint256 slash, uint256 value, uint256 fee, Outcome outcome)
        external
        onlyMarketplace
    {
        Provider storage info = _providers[provider];
        info.lockedStake -= uint128(collateral); // the marketplace releases exactly what it locked
        info.freeStake += uint128(collateral - slash); // slash <= collateral (checked by the marketplace)
        if (slash != 0) {
            info.totalSlashed += uint128(slash);
            totalStake -= slash;
        }
        if (outcome == Outcome.DisputeLost) ++info.disputesLost;
        else if (outcome == Outcome.DisputeWon) ++info.disputesWon;
        if (value != 0 && collateral != 0 && (outcome == Outcome.Finalized || outcome == Outcome.DisputeWon)) {
            ++info.leasesCompleted;
            info.valueFinalized += value;
            address rewards_ = rewards;
            if (rewards_ != address(0)) _report(rewards_, provider, value, fee);
        }
        emit LeaseOutcome(provider, collateral, slash, value, fee, outcome);
        if (slash != 0) stakeToken.safeTransfer(msg.sender, slash);
    }

    /// @dev Reports finalized work to the rewards contract with `REWARDS_GAS`, ignoring a failure (with an event).
    ///      The caller must leave enough gas for the full budget (63/64 of what remains is forwarded), so nobody can
    ///      make a finalize skip the report by sending too little gas.
    function _report(address rewards_, address provider, uint256 value, uint256 fee) private {
        uint256 required = REWARDS_GAS + REWARDS_GAS / 63 + 5_000; // + the cold CALL (2,600) and the encoding
        uint256 available = gasleft();
        if (available < required) revert InsufficientGasForRewards(available, required);
        bytes memory data = abi.encodeCall(IWorkReporter.reportWork, (provider, value, fee));
        bool ok;
        // no return data is copied, so a hostile or broken rewards contract cannot spend more than REWARDS_GAS
        assembly ("memory-safe") {
            ok := call(REWARDS_GAS, rewards_, 0, add(data, 0x20), mload(data), 0, 0)
        }
        if (!ok) emit RewardsReportFailed(provider, value, fee);
    }

    /// @inheritdoc IProviderRegistry
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
            disputesWon: info.disputesWon,
            totalSlashed: info.totalSlashed,
            valueFinalized: info.valueFinalized,
            metadataURI: _metadataURIs[provider]
        });
    }

    /// @inheritdoc IProviderRegistry
    function isRegistered(address account) external view returns (bool) {
        return _providers[account].registered;
    }
}
