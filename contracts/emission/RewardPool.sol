// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IEmissionSplitter} from "./interfaces/IEmissionSplitter.sol";
import {IRewardPool} from "./interfaces/IRewardPool.sol";

/// @dev The splitter's governance and timelock, which a pool defers to for recovery and manager rotation.
interface IGovernedSplitter {
    function owner() external view returns (address);
    function timelockDelay() external view returns (uint256);
    function governanceChanges() external view returns (uint64);
    function paused(uint8 bucket) external view returns (bool);
}

/// @title RewardPool
/// @notice The second stage behind one splitter bucket: distributes that bucket's emission pro rata to weights.
///         Staking mode (the Capital bucket): weights are deposits of a deposit token. Managed mode (Code, Compute,
///         Community): a manager sets weights.
/// @dev Every interaction pulls the bucket's accrual from the splitter (`accrual`: everything the bucket ever
///      accrued to this pool, which no claim changes) into a reward-per-weight accumulator scaled by 1e18. While the
///      total weight is constant the accumulator is a function of that accrual, so it is computed, not stored: the
///      pool writes its accumulator only when the total weight changes (a checkpoint), and a claim writes only the
///      claimant's account. The division remainder is carried to the next checkpoint, so rounding favours the pool
///      and nothing is lost. Emission that accrues while the total weight is zero is forfeited to the protection
///      fund (the splitter's bucket-4 recipient, as Morpheus forfeits it): at the next checkpoint it is recorded in
///      `forfeited`, and anyone can send it there with `releaseForfeited`. No account is ever paid for time in which
///      it held no weight (Synthetix pools lose this emission; pools that queue it let the next staker take it).
///      Payouts: the splitter mints the claimant's rewards straight from the bucket (`claimTo`); tokens the pool holds
///      (minted to it by someone calling `splitter.claim`, or when governance made another address the bucket's
///      recipient) pay the rest. What the pool holds plus what the bucket can still mint to it always covers
///      everything earned. While the splitter is paused, a claim pays what the pool holds and the rest stays earned;
///      `withdraw` never depends on the splitter's state.
///      Deposit tokens: any ERC-20 whose balances change only by transfers (fee-on-transfer tokens are credited what
///      arrived), so wstETH yes, stETH and other rebasing tokens no. The constructor refuses tokens that say they
///      rebase (they answer `getTotalShares()`, like stETH, or `scaledBalanceOf(address)`, like Aave aTokens and
///      Ampleforth). If an undetected token's balance still falls below what stakers deposited, every withdrawal pays
///      its pro-rata part of what the pool holds (`amount * balance / totalWeight`), so the shortfall is shared and
///      never borne by the last one out; a balance above the deposits (a positive rebase, a donation) is not the
///      stakers' and governance may recover it (`recoverToken`).
contract RewardPool is IRewardPool, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev Accumulator scale. The accumulator stays below 2^157: it grows by at most amount * 1e18 / totalWeight
    ///      + 1 per checkpoint, the amounts sum to less than 2^96 (the splitter's curve bound) and the total weight
    ///      is at least 1, and 2^96 * 1e18 < 2^156. An account's share of a step is floored, so an account may
    ///      receive up to weight / 1e18 + 1 wei less than its exact share per settlement, never more.
    uint256 private constant PRECISION = 1e18;
    /// @dev Bit 159 of an account's `rewardPerWeightPaid` flags rewards settled in `_settledPlusOne`, bit 158 a
    ///      claim lock set by its own stake that a claim must read in `_locks` (the accumulator itself stays below
    ///      2^157). So a claim outside a stake's lock window reads no extra slot.
    uint160 private constant SETTLED_FLAG = uint160(1) << 159;
    uint160 private constant LOCK_FLAG = uint160(1) << 158;
    uint160 private constant FLAGS = SETTLED_FLAG | LOCK_FLAG;
    uint256 private constant MAX_WEIGHT = type(uint96).max;
    /// @dev The splitter's protection bucket, whose recipient is the sink of forfeited emission.
    uint8 private constant PROTECTION = 4;

    /// @notice The splitter whose bucket this pool distributes (fixed at deployment: the pools are deployed before
    ///         the splitter, which needs their addresses, so the deployer passes the splitter's CREATE address).
    IEmissionSplitter public immutable splitter;
    /// @notice The emission token paid out.
    IERC20 public immutable rewardToken;
    /// @notice The splitter bucket this pool is the recipient of.
    uint8 public immutable bucket;
    /// @notice Staking or managed weights.
    Mode public immutable mode;
    /// @notice The token staked (staking mode; zero otherwise).
    IERC20 public immutable depositToken;
    /// @notice Smallest stake an account may hold (staking mode): a stake must leave it at least this; a withdrawal
    ///         that would leave less takes the whole stake, so a stake made for the account by someone else
    ///         (`stakeFor`) can never block its full withdrawal (Morpheus's minimal stake).
    uint256 public immutable minStake;
    /// @notice Seconds an account's own stake locks its deposit against withdrawal (staking mode; at most 30 days).
    ///         A stake made for it by someone else (`stakeFor`) does not extend its lock, so nobody can keep another
    ///         account locked.
    uint256 public immutable withdrawLock;
    /// @notice Longest withdrawal lock the constructor accepts.
    uint256 public constant MAX_WITHDRAW_LOCK = 30 days;
    /// @notice Seconds an account's own stake locks its claims (staking mode; at most `MAX_CLAIM_LOCK`; 0: none):
    ///         Morpheus's claim lock after a stake. A stake made for it by someone else never sets or extends it.
    uint256 public immutable claimLockAfterStake;
    /// @notice Seconds a claim that pays something locks the account's next claim (at most `MAX_CLAIM_LOCK`; 0:
    ///         none): Morpheus's claim lock after a claim.
    uint256 public immutable claimLockAfterClaim;
    /// @notice Longest claim lock (either kind) the constructor accepts: no lock keeps rewards from their owner
    ///         longer, and only the account's own stake or claim starts one.
    uint256 public constant MAX_CLAIM_LOCK = 30 days;
    /// @notice How long after its eta a manager handover can still be accepted.
    uint256 public constant GRACE_PERIOD = 14 days;
    /// @notice Who sets weights (managed mode; zero otherwise). Rotated by `proposeManager` + `acceptManager`.
    address public manager;
    /// @notice The proposed next manager and from when it may accept (zero: none).
    address public pendingManager;
    /// @notice When `pendingManager` may accept: at once if the manager proposed it, after the splitter's timelock
    ///         delay if governance did (a lost manager key); it expires `GRACE_PERIOD` later.
    uint256 public pendingManagerEta;
    /// @notice Whether governance made the pending proposal (the manager cannot replace it while it is live).
    bool public pendingByGovernance;
    /// @notice The splitter's `governanceChanges` when the pending proposal was made: any later change of governance
    ///         (even one that comes back to the same address) voids it.
    uint64 public pendingGovernanceChanges;
    /// @dev An account's locks, set only by its own stake or claim: until when withdrawals (staking mode) and claims
    ///      are locked (unix seconds; they fit 64 bits, as the constructor bounds every lock to 30 days).
    struct Locks {
        uint64 withdrawUnlock;
        uint64 claimUnlock;
    }

    mapping(address account => Locks) private _locks;

    /// @dev The accrual and the accumulator at the last checkpoint, read together on every interaction.
    struct Checkpoint {
        uint96 accrual;
        uint160 rewardPerWeight;
    }

    /// @dev Total weight and the checkpoint's division remainder (in reward units scaled by 1e18, below the total
    ///      weight at that checkpoint), read together on every interaction.
    struct Totals {
        uint128 totalWeight;
        uint128 carry;
    }

    /// @dev One slot per account, all a repeat claim reads: its weight and the accumulator at its last settlement
    ///      (bit 159: it also has settled rewards waiting in `_settledPlusOne`).
    struct Account {
        uint96 weight;
        uint160 rewardPerWeightPaid;
    }

    /// @dev Starts at accumulator 1, not 0: only differences matter, and a non-zero slot from deployment on means
    ///      the first checkpoint does not pay for a fresh slot.
    Checkpoint private _checkpoint = Checkpoint(0, 1);
    Totals private _totals;
    mapping(address account => Account) private _accounts;
    /// @dev Rewards settled when the account's weight changed and not yet paid, plus one: read only when the
    ///      account's flag is set, and once used the slot never returns to zero (a store costs 2,900 gas, not 20,000).
    mapping(address account => uint256) private _settledPlusOne;
    /// @dev Emission accrued while the total weight was zero (recorded at checkpoints) and what of it was sent to the
    ///      sink; both below 2^96 (the splitter's curve bound), packed in one slot touched only at such checkpoints.
    struct Forfeit {
        uint128 recorded;
        uint128 released;
    }

    Forfeit private _forfeit;
    /// @dev Reward tokens the pool paid from its own balance (claims and forfeit releases the bucket could not mint):
    ///      with the splitter's `mintedToRecipient`, it tells what the pool holds for its stakers from what was given
    ///      to it (`recoverable`). Written only on that path, so a claim the bucket mints in full writes nothing here.
    ///      Stored plus one from deployment on, so the pool's first payout from its balance changes a non-zero slot
    ///      (5,000 gas) instead of filling an empty one (22,100).
    uint256 private _paidFromBalancePlusOne = 1;

    /// @param splitter_ The splitter (its address may be the CREATE address it will be deployed at).
    /// @param rewardToken_ Emission token (the splitter's token).
    /// @param bucket_ The bucket whose recipient this pool is.
    /// @param mode_ Staking or Managed.
    /// @param depositToken_ Staking mode: the staked token (not the reward token); Managed mode: zero.
    /// @param manager_ Managed mode: who sets weights; Staking mode: zero.
    /// @param minStake_ Staking mode: the minimal stake (0: none); Managed mode: zero.
    /// @param withdrawLock_ Staking mode: seconds an own stake locks withdrawals (at most 30 days); Managed mode: 0.
    /// @param claimLockAfterStake_ Staking mode: seconds an own stake locks claims (at most 30 days); Managed mode: 0.
    /// @param claimLockAfterClaim_ Seconds a paying claim locks the next claim (at most 30 days).
    constructor(
        IEmissionSplitter splitter_,
        IERC20 rewardToken_,
        uint8 bucket_,
        Mode mode_,
        IERC20 depositToken_,
        address manager_,
        uint256 minStake_,
        uint256 withdrawLock_,
        uint256 claimLockAfterStake_,
        uint256 claimLockAfterClaim_
    ) {
        bool staking = mode_ == Mode.Staking;
        if (
            address(splitter_) == address(0) || address(rewardToken_) == address(0) || withdrawLock_ > MAX_WITHDRAW_LOCK
                || claimLockAfterStake_ > MAX_CLAIM_LOCK || claimLockAfterClaim_ > MAX_CLAIM_LOCK
                || bucket_ >= PROTECTION // the protection bucket is the sink of forfeits, never a pool
                || (staking && (address(depositToken_) == address(0) || depositToken_ == rewardToken_ || manager_ != address(0)))
                || (!staking
                    && (manager_ == address(0) || address(depositToken_) != address(0) || minStake_ != 0 || withdrawLock_ != 0
                        || claimLockAfterStake_ != 0))
        ) revert InvalidConfiguration();
        if (staking && _rebases(address(depositToken_))) revert UnsupportedDepositToken(address(depositToken_));
        splitter = splitter_;
        rewardToken = rewardToken_;
        bucket = bucket_;
        mode = mode_;
        depositToken = depositToken_;
        manager = manager_;
        minStake = minStake_;
        withdrawLock = withdrawLock_;
        claimLockAfterStake = claimLockAfterStake_;
        claimLockAfterClaim = claimLockAfterClaim_;
    }

    // ------------------------------------------------------------------ staking mode

    /// @inheritdoc IRewardPool
    function stake(uint256 amount) external nonReentrant {
        _stake(msg.sender, amount);
    }

    /// @inheritdoc IRewardPool
    function stakeFor(address account, uint256 amount) external nonReentrant {
        if (account == address(0)) revert ZeroAmount();
        _stake(account, amount);
    }

    /// @inheritdoc IRewardPool
    /// @dev The permit is tried and its failure ignored (someone may have front-run it with the same signature);
    ///      the transfer then needs the allowance either way.
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        try IERC20Permit(address(depositToken)).permit(msg.sender, address(this), amount, deadline, v, r, s) {}
            catch {}
        _stake(msg.sender, amount);
    }

    /// @inheritdoc IRewardPool
    function withdraw(uint256 amount) external nonReentrant {
        _withdraw(amount, msg.sender);
    }

    /// @inheritdoc IRewardPool
    function withdrawTo(uint256 amount, address to) external nonReentrant {
        if (to == address(0)) revert ZeroAmount();
        _withdraw(amount, to);
    }

    /// @inheritdoc IRewardPool
    function exit() external nonReentrant returns (uint256 reward) {
        uint256 weight = _accounts[msg.sender].weight;
        if (weight != 0) _withdraw(weight, msg.sender);
        reward = _claimTo(msg.sender);
    }

    /// @inheritdoc IRewardPool
    function withdrawableAt(address account) public view returns (uint256) {
        return _locks[account].withdrawUnlock;
    }

    /// @inheritdoc IRewardPool
    function claimableAt(address account) external view returns (uint256) {
        return _locks[account].claimUnlock;
    }

    // ------------------------------------------------------------------ managed mode

    /// @inheritdoc IRewardPool
    function proposeManager(address newManager) external {
        if (mode != Mode.Managed) revert WrongMode(mode);
        if (newManager == address(0)) revert ZeroAmount();
        uint256 eta = block.timestamp;
        bool byGovernance = msg.sender != manager;
        uint64 changes = IGovernedSplitter(address(splitter)).governanceChanges();
        if (!byGovernance) {
            // the manager hands over (two-step, no wait), but never overrides the current governance's live rotation
            uint256 pending = pendingManagerEta;
            if (
                pendingByGovernance && pendingGovernanceChanges == changes
                    && block.timestamp <= pending + GRACE_PERIOD
            ) {
                revert RotationPending(pending);
            }
        } else if (msg.sender == _governance()) {
            eta += IGovernedSplitter(address(splitter)).timelockDelay(); // a lost key: timelocked
        } else {
            revert NotManager(msg.sender);
        }
        pendingManager = newManager;
        pendingManagerEta = eta;
        pendingByGovernance = byGovernance;
        pendingGovernanceChanges = changes;
        emit ManagerProposed(msg.sender, newManager, eta);
    }

    /// @inheritdoc IRewardPool
    function acceptManager() external {
        if (msg.sender != pendingManager) revert NotManager(msg.sender);
        uint256 eta = pendingManagerEta;
        if (block.timestamp < eta || block.timestamp > eta + GRACE_PERIOD) revert ManagerNotAcceptable(eta);
        uint64 changes = IGovernedSplitter(address(splitter)).governanceChanges();
        uint64 proposedUnder = pendingGovernanceChanges;
        if (changes != proposedUnder) revert RotationVoided(proposedUnder, changes);
        emit ManagerChanged(manager, msg.sender);
        manager = msg.sender;
        pendingManager = address(0);
        pendingManagerEta = 0;
        pendingByGovernance = false;
        pendingGovernanceChanges = 0;
    }

    // ------------------------------------------------------------------ recovery

    /// @inheritdoc IRewardPool
    function recoverable(IERC20 token_) public view returns (uint256) {
        uint256 balance = token_.balanceOf(address(this));
        uint256 owed = _owedFromBalance(token_);
        return balance > owed ? balance - owed : 0;
    }

    /// @inheritdoc IRewardPool
    function recoverToken(IERC20 token_, address to, uint256 amount) external nonReentrant {
        if (msg.sender != _governance()) revert NotGovernance(msg.sender);
        uint256 available = recoverable(token_);
        if (amount == type(uint256).max) amount = available; // all that is recoverable now
        if (to == address(0) || amount == 0) revert ZeroAmount();
        if (amount > available) revert ExceedsRecoverable(address(token_), amount, available);
        // Balance-delta check of the tracked tokens: `token_` may be a second address of one of them (TUSD-style
        // tokens share one ledger between two addresses), which `recoverable` cannot see. Neither may fall below
        // what the pool owes from it (or, if it held less, below what it held).
        bool staking = mode == Mode.Staking;
        uint256 deposits = staking ? depositToken.balanceOf(address(this)) : 0;
        uint256 rewards = rewardToken.balanceOf(address(this));
        emit TokenRecovered(address(token_), to, amount);
        token_.safeTransfer(to, amount);
        if (staking) _checkKept(depositToken, deposits);
        _checkKept(rewardToken, rewards);
    }

    /// @inheritdoc IRewardPool
    function setWeights(address[] calldata accounts, uint256[] calldata weights) external nonReentrant {
        if (mode != Mode.Managed) revert WrongMode(mode);
        if (msg.sender != manager) revert NotManager(msg.sender);
        if (accounts.length != weights.length) revert LengthMismatch(accounts.length, weights.length);
        uint256 current = _fold(_accrued());
        uint256 total = _totals.totalWeight;
        for (uint256 i = 0; i < accounts.length; ++i) {
            address who = accounts[i];
            if (who == address(0)) revert ZeroAmount();
            _settle(who, current);
            total = total - _accounts[who].weight + weights[i];
            _accounts[who].weight = _toUint96(weights[i]);
            emit WeightSet(who, weights[i]);
        }
        _totals.totalWeight = _toUint128(total);
    }

    // ------------------------------------------------------------------ rewards

    /// @inheritdoc IRewardPool
    function earned(address account) external view returns (uint256) {
        return _earned(account, _accounts[account], _rewardPerWeight(_accrued()));
    }

    /// @inheritdoc IRewardPool
    function rewardPerWeight() external view returns (uint256) {
        return _rewardPerWeight(_accrued());
    }

    /// @inheritdoc IRewardPool
    function forfeited() public view returns (uint256) {
        uint256 accrued = _accrued();
        uint256 at = _checkpoint.accrual;
        Totals memory totals = _totals;
        uint256 pending = 0;
        if (totals.totalWeight == 0) pending = (accrued > at ? accrued - at : 0) + totals.carry / PRECISION;
        return _forfeit.recorded + pending;
    }

    /// @inheritdoc IRewardPool
    function sinkOwed() external view returns (uint256) {
        return forfeited() - _forfeit.released;
    }

    /// @inheritdoc IRewardPool
    function sink() public view returns (address) {
        return splitter.recipients()[PROTECTION];
    }

    /// @inheritdoc IRewardPool
    function releaseForfeited() external nonReentrant returns (uint256 paid) {
        (uint256 accrued, uint256 mintable) = splitter.accrual(bucket, address(this));
        _fold(accrued);
        // a paused protection bucket (its recipient under suspicion) receives nothing; the amount stays recorded
        if (IGovernedSplitter(address(splitter)).paused(PROTECTION)) return 0;
        address to = sink();
        Forfeit memory forfeit = _forfeit;
        uint256 owed = forfeit.recorded - forfeit.released;
        if (owed == 0) return 0;
        uint256 minted;
        uint256 fromBalance;
        (paid, minted, fromBalance) = _split(owed, mintable);
        _forfeit.released = forfeit.released + uint128(paid); // paid <= owed <= recorded < 2^96
        if (fromBalance != 0) _paidFromBalancePlusOne += fromBalance;
        emit ForfeitReleased(to, paid);
        if (minted != 0) splitter.claimTo(bucket, to, minted);
        if (fromBalance != 0) rewardToken.safeTransfer(to, fromBalance);
    }

    /// @inheritdoc IRewardPool
    function paidFromBalance() external view returns (uint256) {
        return _paidFromBalancePlusOne - 1;
    }

    /// @notice Sum of all weights.
    function totalWeight() external view returns (uint256) {
        return _totals.totalWeight;
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

    // ------------------------------------------------------------------ internals

    /// @dev Stakes `amount` of the caller's deposit token for `account`. The lock restarts only on an own stake.
    function _stake(address account, uint256 amount) private {
        if (mode != Mode.Staking) revert WrongMode(mode);
        if (amount == 0) revert ZeroAmount();
        _settle(account, _fold(_accrued()));
        uint256 before = depositToken.balanceOf(address(this));
        depositToken.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = depositToken.balanceOf(address(this)) - before; // fee-on-transfer tokens credit what arrived
        if (received == 0) revert ZeroAmount();
        uint256 weight = _accounts[account].weight + received;
        if (weight < minStake) revert BelowMinimumStake(weight, minStake);
        _accounts[account].weight = _toUint96(weight);
        _totals.totalWeight = _toUint128(_totals.totalWeight + received);
        if (account == msg.sender && (withdrawLock != 0 || claimLockAfterStake != 0)) _lockAfterStake(account);
        emit Staked(account, msg.sender, received);
    }

    /// @dev An own stake (never one made for the account by someone else, so nobody can lock another account)
    ///      restarts the withdrawal lock and moves the claim lock to at least now + `claimLockAfterStake`, flagging
    ///      the account so its claims read the lock until it has passed. Both end at most 30 days from now.
    function _lockAfterStake(address account) private {
        Locks memory locks = _locks[account];
        if (withdrawLock != 0) locks.withdrawUnlock = uint64(block.timestamp + withdrawLock);
        if (claimLockAfterStake != 0) {
            uint256 unlock = block.timestamp + claimLockAfterStake;
            if (unlock > locks.claimUnlock) locks.claimUnlock = uint64(unlock);
            _accounts[account].rewardPerWeightPaid |= LOCK_FLAG;
        }
        _locks[account] = locks;
    }

    /// @dev Withdraws `amount` of the caller's weight (all of it when less than `minStake` would stay), paying its
    ///      pro-rata part of the pool's deposit balance to `to`: all of it unless the balance fell below the
    ///      deposits (an undetected rebasing token).
    function _withdraw(uint256 amount, address to) private {
        if (mode != Mode.Staking) revert WrongMode(mode);
        if (amount == 0) revert ZeroAmount();
        if (withdrawLock != 0) {
            uint256 unlock = _locks[msg.sender].withdrawUnlock;
            if (block.timestamp < unlock) revert WithdrawLocked(unlock);
        }
        _settle(msg.sender, _fold(_accrued()));
        Account storage account = _accounts[msg.sender];
        uint256 weight = account.weight;
        if (weight < amount) revert InsufficientStake(msg.sender, weight, amount);
        uint256 left = weight - amount;
        if (left < minStake) (amount, left) = (weight, 0); // what would stay below the minimum leaves too
        uint256 total = _totals.totalWeight;
        uint256 balance = depositToken.balanceOf(address(this));
        uint256 payout = balance < total ? amount * balance / total : amount; // a shortfall is shared pro rata
        account.weight = uint96(left); // below the old weight
        _totals.totalWeight = uint128(total - amount); // amount <= weight <= totalWeight
        emit Withdrawn(msg.sender, to, amount, payout);
        if (payout != 0) depositToken.safeTransfer(to, payout);
    }

    /// @dev What the pool must keep of `token_`: of the deposit token, the deposits; of the reward token, what the
    ///      bucket minted to the pool itself (`mintedToRecipient`) less what the pool paid from its balance (claims
    ///      and forfeit releases beyond what the bucket could mint): everything the stakers and the sink are owed
    ///      minus what the bucket can still mint (owed = accrued - paid = (mintable + mintedToRecipient +
    ///      minted to claimants) - (minted to claimants + paid from balance)). Negative when the pool paid from a
    ///      donation (a paused bucket): then the bucket alone covers what is owed. Nothing of a foreign token.
    function _owedFromBalance(IERC20 token_) private view returns (uint256) {
        if (token_ == depositToken) return _totals.totalWeight; // never the reward token (constructor)
        if (token_ != rewardToken) return 0;
        // A pool the splitter did not track in every tenure (set as the recipient before its code existed) cannot
        // tell its stakers' tokens from donations: it keeps all of them.
        if (!splitter.poolTracked(bucket, address(this))) return type(uint256).max;
        uint256 received = splitter.mintedToRecipient(bucket, address(this));
        uint256 paid = _paidFromBalancePlusOne - 1;
        return received > paid ? received - paid : 0;
    }

    /// @dev Reverts if the pool's balance of `token_` (before a recovery: `before`) fell below what it owes from it,
    ///      or below `before` if it held less.
    function _checkKept(IERC20 token_, uint256 before) private view {
        uint256 owed = _owedFromBalance(token_);
        uint256 floor = before < owed ? before : owed;
        uint256 left = token_.balanceOf(address(this));
        if (left < floor) revert RecoveryTakesOwed(address(token_), floor, left);
    }

    /// @dev The splitter's governance.
    function _governance() private view returns (address) {
        return IGovernedSplitter(address(splitter)).owner();
    }

    /// @dev Whether `token` says it rebases: it answers `getTotalShares()` (stETH) or `scaledBalanceOf(address)`
    ///      (Aave aTokens, Ampleforth) with a word.
    function _rebases(address token) private view returns (bool) {
        (bool ok, bytes memory data) = token.staticcall(abi.encodeWithSignature("getTotalShares()"));
        if (ok && data.length >= 32) return true;
        (ok, data) = token.staticcall(abi.encodeWithSignature("scaledBalanceOf(address)", address(this)));
        return ok && data.length >= 32;
    }

    /// @dev Pays the caller's rewards to `to`: minted by the splitter from what the bucket can mint to this pool,
    ///      the rest from the pool's own balance. Only a paused splitter with too little in the pool leaves a part
    ///      settled (never lost).
    function _claimTo(address to) private returns (uint256 paid) {
        Account memory entry = _accounts[msg.sender];
        // The claim lock is read only when one can be running: after every paying claim, or while the flag of an
        // own stake's lock is set (cleared below by the first claim after it passed).
        bool lockAfterClaim = claimLockAfterClaim != 0;
        if (lockAfterClaim || (entry.rewardPerWeightPaid & LOCK_FLAG) != 0) {
            uint256 unlock = _locks[msg.sender].claimUnlock;
            if (block.timestamp < unlock) revert ClaimLocked(unlock);
        }
        (uint256 accrued, uint256 mintable) = splitter.accrual(bucket, address(this));
        uint256 current = _rewardPerWeight(accrued);
        uint256 amount = _earned(msg.sender, entry, current);
        uint256 minted;
        uint256 fromBalance;
        (paid, minted, fromBalance) = _split(amount, mintable);
        uint256 unpaid = amount - paid;
        uint160 settled = _store(msg.sender, unpaid);
        // current < 2^157 (see PRECISION): it fits beside the flags (the lock flag is dropped: the lock has passed)
        uint160 snapshot = _snapshot(entry.rewardPerWeightPaid, current) | settled;
        if (entry.rewardPerWeightPaid != snapshot) _accounts[msg.sender].rewardPerWeightPaid = snapshot;
        // A claim that pays nothing (nothing earned, or a paused bucket with too little in the pool: what was earned
        // stays settled above) emits no RewardClaimed and starts no claim lock.
        if (paid == 0) return 0;
        // < 2^64: block.timestamp + at most 30 days
        if (lockAfterClaim) _locks[msg.sender].claimUnlock = uint64(block.timestamp + claimLockAfterClaim);
        if (fromBalance != 0) _paidFromBalancePlusOne += fromBalance; // only when the bucket could not mint it all
        emit RewardClaimed(msg.sender, to, paid);
        if (minted != 0) splitter.claimTo(bucket, to, minted);
        if (fromBalance != 0) rewardToken.safeTransfer(to, fromBalance);
    }

    /// @dev How `amount` is paid: minted by the bucket up to `mintable`, the rest from what the pool holds.
    function _split(uint256 amount, uint256 mintable)
        private
        view
        returns (uint256 paid, uint256 minted, uint256 fromBalance)
    {
        minted = amount < mintable ? amount : mintable;
        fromBalance = amount - minted;
        if (fromBalance != 0) {
            uint256 held = rewardToken.balanceOf(address(this));
            if (fromBalance > held) fromBalance = held;
        }
        paid = minted + fromBalance;
    }

    /// @dev Everything the bucket ever accrued to this pool (what it can mint now matters only to claims).
    function _accrued() private view returns (uint256 accrued) {
        (accrued,) = splitter.accrual(bucket, address(this));
    }

    /// @dev The accumulator for `accrued`: the checkpoint's value plus the accrual since, divided by the (constant
    ///      since then) total weight, with the checkpoint's remainder added back. With no weight, nothing is
    ///      distributed: the accrual since the checkpoint is forfeited (`forfeited`).
    function _rewardPerWeight(uint256 accrued) private view returns (uint256) {
        Totals memory totals = _totals;
        Checkpoint memory checkpoint = _checkpoint;
        if (totals.totalWeight == 0) return checkpoint.rewardPerWeight;
        // (accrual below the checkpoint: a guard only; the splitter never lowers a pool's accrual, since it refuses
        // forfeit-mode handovers away from pools)
        uint256 amount = accrued > checkpoint.accrual ? accrued - checkpoint.accrual : 0;
        uint256 scaled = amount * PRECISION + totals.carry;
        return checkpoint.rewardPerWeight + scaled / totals.totalWeight;
    }

    /// @dev Called before the total weight changes: folds the accrual since the last checkpoint and the remainder
    ///      into the stored accumulator at the old weight (so the accumulator never moves backwards whatever the
    ///      new weight), and returns it. With no weight the accrual since the checkpoint is recorded as forfeited to
    ///      the sink and the checkpoint moves to `accrued` with the accumulator unchanged: nobody earns it.
    function _fold(uint256 accrued) private returns (uint256 current) {
        Totals memory totals = _totals;
        Checkpoint memory checkpoint = _checkpoint;
        current = checkpoint.rewardPerWeight;
        // Accrual below the checkpoint (a guard only: the splitter never lowers a pool's accrual): nothing to fold
        // until it is above again.
        uint256 amount = accrued > checkpoint.accrual ? accrued - checkpoint.accrual : 0;
        if (totals.totalWeight == 0) {
            // The last holders' division remainder is forfeited too (its whole wei; the sub-wei rest stays in the
            // pool as dust), or the next holder would receive it for time it held no weight.
            if (amount == 0 && totals.carry == 0) return current;
            amount += totals.carry / PRECISION;
            if (totals.carry != 0) _totals.carry = 0;
            // the accrual and the carried remainder are below 2^96 (the splitter's curve bound) in total
            _forfeit.recorded += uint128(amount);
            if (accrued > checkpoint.accrual) _checkpoint.accrual = uint96(accrued);
            emit RewardsForfeited(amount, _forfeit.recorded);
            return current;
        }
        uint256 scaled = amount * PRECISION + totals.carry;
        uint256 increase = scaled / totals.totalWeight;
        if (increase == 0 && amount == 0) return current; // nothing to fold: the remainder is below one unit
        current += increase;
        // accrued < 2^96 (the splitter's curve bound) and current < 2^157 (see PRECISION)
        _checkpoint = Checkpoint(uint96(accrued), uint160(current));
        _totals.carry = uint128(scaled % totals.totalWeight); // < totalWeight < 2^128
        emit RewardDistributed(amount, current);
    }

    /// @dev Everything `who` has earned up to accumulator `current`: its settled rewards (read only when flagged)
    ///      plus its weight times the accumulator's growth since its last settlement, floored.
    function _earned(address who, Account memory entry, uint256 current) private view returns (uint256 owed) {
        uint256 paid = entry.rewardPerWeightPaid;
        if ((paid & SETTLED_FLAG) != 0) {
            owed = _settledPlusOne[who] - 1; // a flagged account's slot holds its rewards plus one
        }
        paid &= ~uint256(FLAGS);
        // Guard: should the accumulator ever fall below an account's snapshot (the splitter never lowers a pool's
        // accrual: it refuses forfeit-mode handovers away from pools), an account that settled above it has been
        // paid for that range already and earns again only once the accumulator passes its snapshot (_snapshot).
        if (current > paid) owed += uint256(entry.weight) * (current - paid) / PRECISION; // < 2^96 * 2^157
    }

    /// @dev The accumulator snapshot to store for an account settled at `current`: never below the one it had, so
    ///      a range it was paid for is never paid again after the accumulator fell (see _earned).
    function _snapshot(uint160 stored, uint256 current) private pure returns (uint160) {
        uint160 previous = stored & ~FLAGS;
        return current > previous ? uint160(current) : previous; // current < 2^157 (see PRECISION)
    }

    /// @dev Before `who`'s weight changes: moves what it earned up to `current` into its settled rewards.
    function _settle(address who, uint256 current) private {
        Account memory entry = _accounts[who];
        if ((entry.rewardPerWeightPaid & ~FLAGS) == current) return; // settled at this accumulator already
        uint256 owed = _earned(who, entry, current);
        uint160 settled = _store(who, owed);
        // a running stake lock stays flagged
        _accounts[who].rewardPerWeightPaid =
            _snapshot(entry.rewardPerWeightPaid, current) | settled | (entry.rewardPerWeightPaid & LOCK_FLAG);
    }

    /// @dev Stores `owed` as `who`'s settled rewards and returns the flag to keep (none when nothing is owed).
    function _store(address who, uint256 owed) private returns (uint160 flag) {
        if (owed != 0) {
            _settledPlusOne[who] = owed + 1;
            return SETTLED_FLAG;
        }
        // nothing owed: the slot keeps its stale value (unread while unflagged; non-zero keeps the next write cheap).
        return 0;
    }

    function _toUint96(uint256 weight) private pure returns (uint96) {
        if (weight > MAX_WEIGHT) revert WeightTooLarge(weight, MAX_WEIGHT);
        return uint96(weight);
    }

    function _toUint128(uint256 total) private pure returns (uint128) {
        if (total > type(uint128).max) revert WeightTooLarge(total, type(uint128).max);
        return uint128(total);
    }
}
