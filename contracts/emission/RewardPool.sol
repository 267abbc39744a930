// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IEmissionSplitter} from "./interfaces/IEmissionSplitter.sol";
import {IRewardPool} from "./interfaces/IRewardPool.sol";

/// @title RewardPool
/// @notice The second stage behind one splitter bucket: distributes that bucket's emission pro rata to weights.
///         Staking mode (the Capital bucket): weights are deposits of a deposit token. Managed mode (Code, Compute,
///         Community): a manager sets weights.
/// @dev A reward-per-weight accumulator scaled by 1e36, with the division remainder carried to the next
///      distribution, so rounding favours the pool and nothing is lost. Emission that arrives while the total weight
///      is zero is queued and distributed to the weight holders as soon as weight becomes non-zero (Synthetix pools
///      lose it). Every interaction first pulls the bucket from the splitter; a failing pull (paused splitter) never
///      blocks a withdrawal or a claim.
contract RewardPool is IRewardPool, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant PRECISION = 1e36;

    /// @notice The emission token paid out.
    IERC20 public immutable rewardToken;
    /// @notice The splitter bucket this pool is the recipient of.
    uint8 public immutable bucket;
    /// @notice Staking or managed weights.
    Mode public immutable mode;
    /// @notice The token staked (staking mode; zero otherwise).
    IERC20 public immutable depositToken;
    /// @notice Who sets weights (managed mode; zero otherwise).
    address public immutable manager;
    address private immutable _deployer;

    /// @dev The splitter (fixed once by the deployer: it is deployed after its pools, which are its recipients) and
    ///      the time of the last pull share a slot: a second interaction in the same block skips the splitter.
    struct Source {
        IEmissionSplitter splitter;
        uint64 lastPull;
    }

    /// @dev Total weight and queued rewards, read together on every pull, share a slot (both far below 2^128:
    ///      rewards are bounded by the token's cap, weights by a token supply or the manager's choice).
    struct Totals {
        uint128 totalWeight;
        uint128 queuedRewards;
    }

    Source private _source;
    Totals private _totals;
    /// @dev The reward-token balance already accounted for (earned, queued or carried). Anything above it, whether
    ///      minted by this pool's pull, by someone else calling `splitter.claim` for this bucket, or sent directly,
    ///      is new and gets distributed at the next interaction.
    uint256 private _accounted;

    /// @notice Accumulated reward per unit of weight, scaled by 1e36.
    uint256 public rewardPerWeight;
    /// @dev Remainder of the last distribution, in reward units scaled by 1e36 (always < totalWeight at that time).
    uint256 private _carry;

    /// @dev Weight and unclaimed rewards share a slot (both below 2^128, see Totals).
    struct Account {
        uint128 weight;
        uint128 rewards;
        uint256 rewardPerWeightPaid;
    }

    mapping(address account => Account) private _accounts;

    /// @param rewardToken_ Emission token.
    /// @param bucket_ The bucket whose recipient this pool is.
    /// @param mode_ Staking or Managed.
    /// @param depositToken_ Staking mode: the staked token (not the reward token); Managed mode: zero.
    /// @param manager_ Managed mode: who sets weights; Staking mode: zero.
    constructor(
        IERC20 rewardToken_,
        uint8 bucket_,
        Mode mode_,
        IERC20 depositToken_,
        address manager_
    ) {
        bool staking = mode_ == Mode.Staking;
        if (
            address(rewardToken_) == address(0)
                || (staking && (address(depositToken_) == address(0) || depositToken_ == rewardToken_ || manager_ != address(0)))
                || (!staking && (manager_ == address(0) || address(depositToken_) != address(0)))
        ) revert InvalidConfiguration();
        rewardToken = rewardToken_;
        _deployer = msg.sender;
        bucket = bucket_;
        mode = mode_;
        depositToken = depositToken_;
        manager = manager_;
    }

    /// @notice Fixes the splitter; once, by the deployer.
    function setSplitter(IEmissionSplitter splitter_) external {
        if (msg.sender != _deployer) revert NotDeployer(msg.sender);
        if (address(_source.splitter) != address(0)) revert SplitterAlreadySet(address(_source.splitter));
        if (address(splitter_) == address(0)) revert InvalidConfiguration();
        _source.splitter = splitter_;
        emit SplitterSet(address(splitter_));
    }

    // ------------------------------------------------------------------ staking mode

    /// @inheritdoc IRewardPool
    function stake(uint256 amount) external nonReentrant {
        if (mode != Mode.Staking) revert WrongMode(mode);
        if (amount == 0) revert ZeroAmount();
        _pull();
        _settle(msg.sender);
        uint256 before = depositToken.balanceOf(address(this));
        depositToken.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = depositToken.balanceOf(address(this)) - before; // fee-on-transfer tokens credit what arrived
        if (received == 0) revert ZeroAmount();
        _accounts[msg.sender].weight += _toUint128(received);
        _totals.totalWeight += _toUint128(received);
        _distributeQueued();
        emit Staked(msg.sender, received);
    }

    /// @inheritdoc IRewardPool
    function withdraw(uint256 amount) external nonReentrant {
        if (mode != Mode.Staking) revert WrongMode(mode);
        if (amount == 0) revert ZeroAmount();
        _pull();
        _settle(msg.sender);
        Account storage account = _accounts[msg.sender];
        if (account.weight < amount) revert InsufficientStake(msg.sender, account.weight, amount);
        account.weight -= uint128(amount); // amount <= weight < 2^128
        _totals.totalWeight -= uint128(amount);
        emit Withdrawn(msg.sender, amount);
        depositToken.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ managed mode

    /// @inheritdoc IRewardPool
    function setWeights(address[] calldata accounts, uint256[] calldata weights) external nonReentrant {
        if (mode != Mode.Managed) revert WrongMode(mode);
        if (msg.sender != manager) revert NotManager(msg.sender);
        if (accounts.length != weights.length) revert LengthMismatch(accounts.length, weights.length);
        _pull();
        uint256 total = _totals.totalWeight;
        for (uint256 i = 0; i < accounts.length; ++i) {
            address who = accounts[i];
            if (who == address(0)) revert ZeroAmount();
            _settle(who);
            total = total - _accounts[who].weight + weights[i];
            _accounts[who].weight = _toUint128(weights[i]);
            emit WeightSet(who, weights[i]);
        }
        _totals.totalWeight = _toUint128(total);
        _distributeQueued();
    }

    // ------------------------------------------------------------------ rewards

    /// @inheritdoc IRewardPool
    function earned(address account) public view returns (uint256) {
        Account memory entry = _accounts[account];
        return entry.rewards + entry.weight * (rewardPerWeight - entry.rewardPerWeightPaid) / PRECISION;
    }

    /// @notice The splitter this pool pulls from (zero until the deployer sets it).
    function splitter() external view returns (IEmissionSplitter) {
        return _source.splitter;
    }

    /// @notice Sum of all weights.
    function totalWeight() external view returns (uint256) {
        return _totals.totalWeight;
    }

    /// @notice Emission received while total weight was zero, waiting for weight holders.
    function queuedRewards() external view returns (uint256) {
        return _totals.queuedRewards;
    }

    /// @notice Current weight of `account`.
    function weightOf(address account) external view returns (uint256) {
        return _accounts[account].weight;
    }

    /// @inheritdoc IRewardPool
    function claimReward() external nonReentrant returns (uint256) {
        return _claimTo(msg.sender);
    }

    /// @inheritdoc IRewardPool
    function claimRewardTo(address to) external nonReentrant returns (uint256) {
        if (to == address(0)) revert ZeroAmount();
        return _claimTo(to);
    }

    /// @inheritdoc IRewardPool
    function pull() external nonReentrant returns (uint256) {
        return _pull();
    }

    // ------------------------------------------------------------------ internals

    function _claimTo(address to) private returns (uint256 amount) {
        _pull();
        _settle(msg.sender);
        amount = _accounts[msg.sender].rewards;
        if (amount == 0) return 0;
        _accounts[msg.sender].rewards = 0;
        _accounted -= amount;
        emit RewardClaimed(msg.sender, to, amount);
        rewardToken.safeTransfer(to, amount);
    }

    /// @dev Claims the bucket (minted to this pool) and distributes every token above the accounted balance. A
    ///      reverting splitter (paused) is skipped so exits keep working.
    function _pull() private returns (uint256 received) {
        Source memory source = _source;
        if (address(source.splitter) == address(0) || source.lastPull == block.timestamp) return 0;
        _source.lastPull = uint64(block.timestamp);
        try source.splitter.claim(bucket) {} catch {}
        uint256 balance = rewardToken.balanceOf(address(this));
        received = balance - _accounted; // never negative: payouts lower both
        if (received == 0) return 0;
        _accounted = balance;
        if (_totals.totalWeight == 0) {
            _totals.queuedRewards += _toUint128(received);
            emit RewardReceived(received, true);
        } else {
            _distribute(received);
            emit RewardReceived(received, false);
        }
    }

    function _distributeQueued() private {
        Totals memory totals = _totals;
        if (totals.queuedRewards == 0 || totals.totalWeight == 0) return;
        _totals.queuedRewards = 0;
        _distribute(totals.queuedRewards);
    }

    /// @dev Adds `amount` to the accumulator; the remainder of the division is carried, never dropped.
    function _distribute(uint256 amount) private {
        uint256 scaled = amount * PRECISION + _carry;
        uint256 weight = _totals.totalWeight;
        rewardPerWeight += scaled / weight;
        _carry = scaled % weight;
    }

    function _settle(address who) private {
        uint256 current = rewardPerWeight;
        Account storage account = _accounts[who];
        if (account.rewardPerWeightPaid == current) return;
        account.rewards = _toUint128(earned(who));
        account.rewardPerWeightPaid = current;
    }

    function _toUint128(uint256 value) private pure returns (uint128) {
        if (value > type(uint128).max) revert InvalidConfiguration();
        return uint128(value);
    }
}
