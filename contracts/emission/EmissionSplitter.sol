// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IEmissionRecipient} from "./interfaces/IEmissionRecipient.sol";
import {IEmissionSplitter} from "./interfaces/IEmissionSplitter.sol";
import {IEmissionToken} from "./interfaces/IEmissionToken.sol";

/// @title EmissionSplitter
/// @notice One linearly decreasing emission curve (Morpheus: 14,400 a day, falling by 2.468994701 a day, zero after
///         5,833 days) split into five buckets: 0 Capital, 1 Code, 2 Compute, 3 Community, 4 Protection.
/// @dev Accounting, exact to the wei:
///      - E(t) = emission from `start` to t = sum of whole intervals (an arithmetic series) + the current interval's
///        reward prorated by the second, rounded down. `periodReward(a, b) = E(b) - E(a)`, so pieces of a range always
///        sum to exactly the whole. E(t) never exceeds the exact integral X(t) of the curve and is less than one wei
///        below it, so `periodReward(a, b)` lies strictly within one wei of the exact integral over [a, b): it can
///        exceed it (by less than one wei, when `a` falls mid-interval) and never exceeds it when `a <= start`.
///      - Shares apply per epoch (an epoch ends when governance changes shares or a recipient). Within an epoch with
///        emission D, bucket b < 4 is entitled to floor(D * share_b / 10,000): never above its exact share, at most one
///        wei below it. The protection bucket is entitled to the rest, D - sum of the four: every rounding remainder
///        goes to it, so sum over buckets of (claimed + claimable) == totalEmitted() at every moment.
///      - The protection remainder wiggles by a few wei as the four floors tick, so while an epoch runs, a protection
///        claim pays only up to credited + ceil(D * share_4 / 10,000) (a lower bound of its entitlement that never
///        decreases); the dust (< 4 wei) is paid at the end of the epoch or of the curve. Nothing is lost or over-minted.
///      - The curve has no setter. Shares and recipients change only through governance's timelock, and a change first
///        settles every bucket up to that moment at the old shares (a recipient change then pays the old recipient in
///        keep mode, or moves its unclaimed amount to the protection bucket in forfeit mode), so nothing accrued is
///        lost. Delays are between 48 hours and 30 days, a proposal expires 14 days after its eta, a second
///        proposal for the same item is refused while the first is live, and a change of governance cancels every
///        pending proposal. The guardian pauses claims per bucket; accrual continues while paused. A recipient
///        change executes even while its bucket is paused. Where the bucket's unclaimed amount goes is fixed in the
///        proposal, never by the pause: keep mode pays it to the previous recipient at execution; forfeit mode (the
///        incident response to a compromised recipient) moves it to the protection bucket, and is refused while the
///        recipient is a pool (its stakers earned it; recorded when the recipient is set). A new recipient's accrual starts where its earlier tenures
///        left it, so no handover ever gives a pool an accrual jump that whoever holds weight at that moment takes.
///        The protection bucket's recipient is never a pool (it is the sink of the pools' forfeits).
///      - A recipient may also mint part of its claimable amount straight to someone else (`claimTo`): a reward pool
///        pays its users that way, one balance write instead of a mint to the pool and a transfer. For such
///        recipients `accrual` reports everything the bucket ever accrued to them, over all their tenures, which no
///        claim (by anyone) changes.
contract EmissionSplitter is IEmissionSplitter, Ownable2Step {
    /// @notice Number of buckets.
    uint8 public constant BUCKETS = 5;
    /// @notice The protection bucket, which receives every rounding remainder.
    uint8 public constant PROTECTION = 4;
    /// @notice Basis points in a whole.
    uint256 public constant BPS = 10_000;
    /// @notice Shortest timelock the constructor accepts.
    uint256 public constant MIN_TIMELOCK_DELAY = 48 hours;
    /// @notice Longest timelock the constructor accepts.
    uint256 public constant MAX_TIMELOCK_DELAY = 30 days;
    /// @notice How long after its eta a proposal can still execute; after that it has expired.
    uint256 public constant GRACE_PERIOD = 14 days;

    /// @notice The capped token this splitter mints (it must be the token's only minter).
    IEmissionToken public immutable token;
    /// @notice Time emission starts.
    uint256 public immutable start;
    /// @notice Length of one interval in seconds (Morpheus: 1 day).
    uint256 public immutable interval;
    /// @notice Emission of the first interval.
    uint256 public immutable initialReward;
    /// @notice How much each interval's emission falls.
    uint256 public immutable rewardDecrease;
    /// @notice Number of intervals with a positive reward: ceil(initialReward / rewardDecrease).
    uint256 public immutable intervals;
    /// @notice Everything the curve will ever emit.
    uint256 public immutable totalEmission;
    /// @notice Delay between a proposal and its execution (48 hours to 30 days).
    uint256 public immutable timelockDelay;

    /// @dev Per bucket, one slot holding everything a claim of it reads besides its recipient: entitlements settled
    ///      in earlier epochs and everything ever claimed (both below 2^96: the constructor checks the whole curve
    ///      fits), its share, a copy of the splitter-wide epoch start, and the bucket's own pause flag. Governance
    ///      always writes the epoch start of all five buckets together, so the copies never differ, and a claim reads
    ///      one slot, not two.
    struct Bucket {
        uint96 credited;
        uint96 claimed;
        uint40 epochStart;
        uint16 share;
        bool paused;
    }

    /// @dev A bucket's recipient and the bucket's accrual (credited + entitled) at which its current tenure counts
    ///      from, minus what it accrued in earlier tenures; packed in one slot read on every claim (the curve's total
    ///      is below 2^96, checked in the constructor).
    struct Recipient {
        address account;
        uint96 offset;
    }

    /// @dev One slot: the proposed recipient, its eta and the handover mode fixed at proposal.
    struct RecipientProposal {
        address recipient;
        uint64 eta;
        bool forfeitUnclaimed;
    }

    Bucket[5] private _buckets;
    address public guardian;
    /// @notice How many times governance has changed (the constructor's owner counts as the first): a pool voids a
    ///         manager rotation proposed under an earlier count, so governance coming back does not revive it.
    uint64 public governanceChanges;
    /// @dev Bit b set: bucket b's current recipient answered `splitter()` when it was set (a pool). Packed with
    ///      `guardian` and `governanceChanges` (160 + 64 + 8 bits); read only by `proposeRecipient`.
    uint8 private _poolRecipients;
    Recipient[5] private _recipients;
    uint80 private _proposedShares;
    uint64 private _sharesEta;
    mapping(uint8 bucket => RecipientProposal) private _recipientProposals;
    /// @dev What a former recipient had accrued from a bucket when its last tenure ended.
    mapping(uint8 bucket => mapping(address account => uint256)) private _formerAccrual;
    /// @dev What a bucket minted to an emission recipient contract (a pool) itself while it was the recipient
    ///      (`mintedToRecipient`); written only for such recipients, so an account recipient's claim pays no slot.
    mapping(uint8 bucket => mapping(address recipient => uint256)) private _mintedToRecipient;
    /// @dev How `recipient` was set as `bucket`'s recipient over its tenures (written only when it is set): bit 0,
    ///      as a pool (its mints are recorded in `_mintedToRecipient`); bit 1, as something that did not answer as a
    ///      pool then (an account, or an address whose code did not exist yet: its mints were not recorded). Sticky.
    mapping(uint8 bucket => mapping(address recipient => uint8)) private _tenureKinds;
    uint8 private constant TENURE_POOL = 1;
    uint8 private constant TENURE_UNTRACKED = 2;

    /// @param token_ The capped emission token; its minter must be this splitter (deployed at a predicted address).
    /// @param start_ When emission starts.
    /// @param interval_ Interval length in seconds.
    /// @param initialReward_ First interval's emission.
    /// @param rewardDecrease_ Decrease per interval (non-zero, so the curve ends).
    /// @param recipients_ Bucket recipients (pools or accounts).
    /// @param shares_ Bucket shares in basis points, summing to 10,000.
    /// @param governance Owner: proposes and cancels changes (two-step transferable).
    /// @param guardian_ May pause claims.
    /// @param timelockDelay_ 48 hours to 30 days.
    constructor(
        IEmissionToken token_,
        uint256 start_,
        uint256 interval_,
        uint256 initialReward_,
        uint256 rewardDecrease_,
        address[5] memory recipients_,
        uint16[5] memory shares_,
        address governance,
        address guardian_,
        uint256 timelockDelay_
    ) Ownable(governance) {
        if (address(token_) == address(0) || guardian_ == address(0)) revert ZeroAddress();
        if (
            interval_ == 0 || interval_ > type(uint64).max || initialReward_ == 0 || rewardDecrease_ == 0
                || start_ > type(uint40).max
        ) {
            revert InvalidCurve();
        }
        if (timelockDelay_ < MIN_TIMELOCK_DELAY || timelockDelay_ > MAX_TIMELOCK_DELAY) {
            revert DelayOutOfRange(timelockDelay_, MIN_TIMELOCK_DELAY, MAX_TIMELOCK_DELAY);
        }
        uint256 n = (initialReward_ + rewardDecrease_ - 1) / rewardDecrease_;
        uint256 total = _seriesSum(n, initialReward_, rewardDecrease_);
        uint256 cap = token_.cap();
        if (total > cap || total > type(uint96).max) revert CurveExceedsCap(total, cap);
        uint80 packed = _pack(shares_);
        uint8 pools = 0;
        for (uint8 b = 0; b < BUCKETS; ++b) {
            if (recipients_[b] == address(0)) revert ZeroAddress();
            bool isPool = _checkRecipient(b, recipients_[b], address(token_));
            if (isPool) pools |= uint8(1 << b);
            _tenureKinds[b][recipients_[b]] = isPool ? TENURE_POOL : TENURE_UNTRACKED;
            _recipients[b].account = recipients_[b];
            _buckets[b] = Bucket(0, 0, uint40(start_), _share(packed, b), false);
        }
        // Checked after the parameters, which do not depend on this contract's address.
        if (token_.minter() != address(this)) revert NotTokenMinter(token_.minter());
        token = token_;
        start = start_;
        interval = interval_;
        initialReward = initialReward_;
        rewardDecrease = rewardDecrease_;
        intervals = n;
        totalEmission = total;
        timelockDelay = timelockDelay_;
        guardian = guardian_;
        _poolRecipients = pools;
    }

    // ------------------------------------------------------------------ curve

    /// @inheritdoc IEmissionSplitter
    function periodReward(uint256 from, uint256 to) public view returns (uint256) {
        if (to <= from) return 0;
        return _emittedUntil(to) - _emittedUntil(from);
    }

    /// @inheritdoc IEmissionSplitter
    function totalEmitted() public view returns (uint256) {
        return _emittedUntil(block.timestamp);
    }

    /// @notice Emission of interval `index` (0-based); zero from `intervals` on.
    function intervalReward(uint256 index) public view returns (uint256) {
        return index < intervals ? initialReward - index * rewardDecrease : 0;
    }

    /// @notice When the curve reaches zero.
    function curveEnd() public view returns (uint256) {
        return start + intervals * interval;
    }

    // ------------------------------------------------------------------ buckets

    /// @inheritdoc IEmissionSplitter
    function claimable(uint8 bucket) external view returns (uint256) {
        _checkBucket(bucket);
        Bucket memory entry = _buckets[bucket];
        return entry.credited + _entitlement(bucket, _epochEmission(entry), _packedShares()) - entry.claimed;
    }

    /// @inheritdoc IEmissionSplitter
    function claimableNow(uint8 bucket) external view returns (uint256) {
        _checkBucket(bucket);
        Bucket memory entry = _buckets[bucket];
        if (entry.paused) return 0;
        return entry.credited + _payable(bucket, entry) - entry.claimed;
    }

    /// @inheritdoc IEmissionSplitter
    function emissionRate(uint8 bucket) external view returns (uint256) {
        _checkBucket(bucket);
        if (block.timestamp < start) return 0;
        return intervalReward((block.timestamp - start) / interval) * _buckets[bucket].share / BPS / interval;
    }

    /// @inheritdoc IEmissionSplitter
    function claimed(uint8 bucket) external view returns (uint256) {
        _checkBucket(bucket);
        return _buckets[bucket].claimed;
    }

    /// @inheritdoc IEmissionSplitter
    function shares() external view returns (uint16[5] memory) {
        return _unpack(_packedShares());
    }

    /// @inheritdoc IEmissionSplitter
    function recipients() external view returns (address[5] memory accounts) {
        for (uint8 b = 0; b < BUCKETS; ++b) {
            accounts[b] = _recipients[b].account;
        }
    }

    /// @inheritdoc IEmissionSplitter
    function accrual(uint8 bucket, address account) external view returns (uint256 accrued, uint256 mintable) {
        _checkBucket(bucket);
        Recipient memory recipient = _recipients[bucket];
        if (account != recipient.account) return (_formerAccrual[bucket][account], 0);
        Bucket memory entry = _buckets[bucket];
        uint256 bucketAccrued = entry.credited + _payable(bucket, entry);
        accrued = bucketAccrued - recipient.offset; // offset <= bucket accrual at the tenure's start
        mintable = entry.paused ? 0 : bucketAccrued - entry.claimed;
    }

    /// @inheritdoc IEmissionSplitter
    function mintedToRecipient(uint8 bucket, address recipient) external view returns (uint256) {
        _checkBucket(bucket);
        return _mintedToRecipient[bucket][recipient];
    }

    /// @inheritdoc IEmissionSplitter
    function poolTracked(uint8 bucket, address recipient) external view returns (bool) {
        _checkBucket(bucket);
        return _tenureKinds[bucket][recipient] == TENURE_POOL;
    }

    /// @inheritdoc IEmissionSplitter
    function paused(uint8 bucket) external view returns (bool) {
        _checkBucket(bucket);
        return _buckets[bucket].paused;
    }

    /// @notice The pending share proposal and when it can execute (eta 0: none).
    function proposedShares() external view returns (uint16[5] memory newShares, uint256 eta) {
        return (_unpack(_proposedShares), _sharesEta);
    }

    /// @notice The pending recipient proposal of `bucket` (eta 0: none) and its handover mode (true: forfeit).
    function proposedRecipient(uint8 bucket)
        external
        view
        returns (address recipient, uint256 eta, bool forfeitUnclaimed)
    {
        RecipientProposal memory proposal = _recipientProposals[bucket];
        return (proposal.recipient, proposal.eta, proposal.forfeitUnclaimed);
    }

    /// @inheritdoc IEmissionSplitter
    function claim(uint8 bucket) external returns (uint256) {
        _checkBucket(bucket);
        Bucket memory entry = _buckets[bucket];
        if (entry.paused) revert BucketPaused(bucket);
        return _claim(bucket, entry, address(0));
    }

    /// @inheritdoc IEmissionSplitter
    function claimTo(uint8 bucket, address to, uint256 amount) external {
        _checkBucket(bucket);
        if (msg.sender != _recipients[bucket].account) revert NotRecipient(bucket, msg.sender);
        if (to == address(0)) revert ZeroAddress();
        Bucket memory entry = _buckets[bucket];
        if (entry.paused) revert BucketPaused(bucket);
        uint256 available = entry.credited + _payable(bucket, entry) - entry.claimed;
        if (amount > available) revert ExceedsClaimable(amount, available);
        _mint(bucket, entry.claimed, msg.sender, to, amount);
    }

    /// @inheritdoc IEmissionSplitter
    function claimAll() external {
        for (uint8 b = 0; b < BUCKETS; ++b) {
            Bucket memory entry = _buckets[b];
            if (!entry.paused) _claim(b, entry, address(0)); // a paused bucket is skipped, not a reason to revert
        }
    }

    // ------------------------------------------------------------------ governance (timelocked)

    /// @inheritdoc IEmissionSplitter
    /// @dev Refused while another share proposal is live; an expired one is cancelled (with its event) first.
    function proposeShares(uint16[5] calldata newShares) external onlyOwner {
        uint80 packed = _pack(newShares);
        if (_sharesEta != 0) {
            _checkReplaceable(_sharesEta);
            emit SharesCancelled();
        }
        uint64 eta = _eta();
        _proposedShares = packed;
        _sharesEta = eta;
        emit SharesProposed(newShares, eta);
    }

    /// @inheritdoc IEmissionSplitter
    function executeShares() external {
        uint256 eta = _sharesEta;
        if (eta == 0) revert NoProposal();
        _checkExecutable(eta);
        uint80 packed = _proposedShares;
        _sharesEta = 0;
        _proposedShares = 0;
        _closeEpoch(_packedShares(), packed);
        emit SharesExecuted(_unpack(packed));
    }

    /// @inheritdoc IEmissionSplitter
    function cancelShares() external onlyOwner {
        if (_sharesEta == 0) revert NoProposal();
        _sharesEta = 0;
        _proposedShares = 0;
        emit SharesCancelled();
    }

    /// @inheritdoc IEmissionSplitter
    /// @dev Refused while another proposal for the bucket is live; an expired one is cancelled (with its event)
    ///      first. A recipient contract that answers `splitter()` must be built for this splitter, bucket and token.
    ///      Forfeit mode is refused while the current recipient was such a contract when it was set (recorded then,
    ///      so a recipient whose code changes later cannot start or stop the refusal); the current recipient cannot
    ///      change before this proposal executes or lapses (one live proposal per bucket), so the check holds then.
    function proposeRecipient(uint8 bucket, address recipient, bool forfeitUnclaimed) external onlyOwner {
        _checkBucket(bucket);
        if (recipient == address(0)) revert ZeroAddress();
        _checkRecipient(bucket, recipient, address(token));
        if (forfeitUnclaimed && _poolRecipients & (1 << bucket) != 0) {
            revert UnclaimedOwedToPool(bucket, _recipients[bucket].account);
        }
        uint256 pending = _recipientProposals[bucket].eta;
        if (pending != 0) {
            _checkReplaceable(pending);
            emit RecipientCancelled(bucket);
        }
        uint64 eta = _eta();
        _recipientProposals[bucket] = RecipientProposal(recipient, eta, forfeitUnclaimed);
        emit RecipientProposed(bucket, recipient, eta, forfeitUnclaimed);
    }

    /// @inheritdoc IEmissionSplitter
    /// @dev Keep mode: pays everything the bucket owes the previous recipient to it first, whether or not the bucket
    ///      is paused. Forfeit mode: the previous recipient receives nothing more; what it had not claimed moves to
    ///      the protection bucket's credit (for the protection bucket itself it stays and goes to the new
    ///      recipient, which is never a pool). Either way the bucket owes nothing from before the handover to
    ///      anyone but the protection bucket, so the new recipient's accrual starts where its own earlier tenures
    ///      left it (no jump). Records what the previous recipient received over its tenures, so the `accrual` of
    ///      every account equals what the bucket paid or owes it.
    function executeRecipient(uint8 bucket) external {
        _checkBucket(bucket);
        RecipientProposal memory proposal = _recipientProposals[bucket];
        if (proposal.eta == 0) revert NoProposal();
        _checkExecutable(proposal.eta);
        bool isPool = _checkRecipient(bucket, proposal.recipient, address(token));
        delete _recipientProposals[bucket];
        bool wasPool = _poolRecipients & (1 << bucket) != 0;
        _poolRecipients = isPool ? _poolRecipients | uint8(1 << bucket) : _poolRecipients & ~uint8(1 << bucket);
        _tenureKinds[bucket][proposal.recipient] |= isPool ? TENURE_POOL : TENURE_UNTRACKED;
        uint80 current = _packedShares();
        _closeEpoch(current, current);
        Recipient memory previous = _recipients[bucket];
        Bucket memory entry = _buckets[bucket];
        // After the epoch closed the bucket's accrual is exactly its credited amount (the new epoch has emitted
        // nothing yet). Keep mode pays what is unclaimed to the previous recipient below; forfeit mode moves it.
        uint256 owed = entry.credited - entry.claimed;
        uint256 forfeited = proposal.forfeitUnclaimed ? owed : 0;
        uint256 endedAt = entry.credited - forfeited; // the previous recipient's tenure ends at this accrual
        _formerAccrual[bucket][previous.account] = endedAt - previous.offset;
        if (forfeited != 0 && bucket != PROTECTION) {
            _buckets[bucket].credited = uint96(endedAt); // == claimed
            _buckets[PROTECTION].credited += uint96(forfeited); // the total stays below 2^96
        }
        // The new tenure counts from `endedAt`: the bucket's accrual now, except that the protection bucket's new
        // recipient also takes its forfeit over. Its earlier accrual from this bucket was all paid to it, so it is at
        // most what the bucket has paid: the offset is never negative, and its accrual resumes at what it had (no
        // jump; for the protection bucket, which is never a pool, plus the forfeit).
        _recipients[bucket] =
            Recipient(proposal.recipient, uint96(endedAt - _formerAccrual[bucket][proposal.recipient]));
        emit RecipientExecuted(bucket, previous.account, proposal.recipient, forfeited);
        if (forfeited == 0 && owed != 0) {
            if (wasPool) _mintedToRecipient[bucket][previous.account] += owed;
            _mint(bucket, entry.claimed, previous.account, previous.account, owed);
        }
    }

    /// @inheritdoc IEmissionSplitter
    function cancelRecipient(uint8 bucket) external onlyOwner {
        _checkBucket(bucket);
        if (_recipientProposals[bucket].eta == 0) revert NoProposal();
        delete _recipientProposals[bucket];
        emit RecipientCancelled(bucket);
    }

    /// @notice Disabled: a splitter without governance could never change a recipient or unpause a bucket.
    function renounceOwnership() public override onlyOwner {
        revert RenounceDisabled();
    }

    // ------------------------------------------------------------------ pause

    /// @notice The guardian pauses claims of one bucket (accrual continues). It cannot move funds.
    function pause(uint8 bucket) external {
        if (msg.sender != guardian) revert NotGuardian(msg.sender);
        _checkBucket(bucket);
        _buckets[bucket].paused = true;
        emit ClaimsPaused(bucket, msg.sender, true);
    }

    /// @notice The guardian or governance resumes claims of one bucket (governance can, so a lost guardian key
    ///         strands nothing).
    function unpause(uint8 bucket) external {
        if (msg.sender != guardian && msg.sender != owner()) revert NotGuardian(msg.sender);
        _checkBucket(bucket);
        _buckets[bucket].paused = false;
        emit ClaimsPaused(bucket, msg.sender, false);
    }

    /// @notice Governance replaces the guardian.
    function setGuardian(address newGuardian) external onlyOwner {
        if (newGuardian == address(0)) revert ZeroAddress();
        guardian = newGuardian;
        emit GuardianSet(newGuardian);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Pays `bucket`'s claimable amount to `to`, or to its current recipient when `to` is zero (read only when
    ///      there is something to pay, which keeps an empty claim cheap).
    function _claim(uint8 bucket, Bucket memory entry, address to) private returns (uint256 amount) {
        // credited + payable >= claimed: payable only grows within an epoch and `claimed` never exceeded it.
        amount = entry.credited + _payable(bucket, entry) - entry.claimed;
        if (amount == 0) return 0;
        if (to == address(0)) to = _recipients[bucket].account;
        // a pool's own tokens, told apart from donations by `mintedToRecipient` (see RewardPool.recoverable)
        if (_poolRecipients & (1 << bucket) != 0) _mintedToRecipient[bucket][to] += amount;
        _mint(bucket, entry.claimed, to, to, amount);
    }

    /// @dev Records `amount` as claimed from `bucket` (previously `claimedBefore`) for `recipient` and mints it to
    ///      `to`: the one place emission leaves the splitter. Callers check `amount` against what the bucket may pay.
    function _mint(uint8 bucket, uint96 claimedBefore, address recipient, address to, uint256 amount) private {
        _buckets[bucket].claimed = claimedBefore + uint96(amount); // <= totalEmission < 2^96
        emit Claimed(bucket, recipient, to, amount);
        token.mint(to, amount);
    }

    /// @dev Ownership moves (in the constructor or when the pending owner accepts): every pending proposal of the
    ///      previous governance is cancelled, with its event.
    function _transferOwnership(address newOwner) internal override {
        super._transferOwnership(newOwner);
        ++governanceChanges; // one per handover: never near 2^64
        if (_sharesEta != 0) {
            _sharesEta = 0;
            _proposedShares = 0;
            emit SharesCancelled();
        }
        for (uint8 b = 0; b < BUCKETS; ++b) {
            if (_recipientProposals[b].eta != 0) {
                delete _recipientProposals[b];
                emit RecipientCancelled(b);
            }
        }
    }

    /// @dev A new proposal's eta: now + delay, which fits 64 bits (delay <= 30 days), checked anyway.
    function _eta() private view returns (uint64) {
        return SafeCast.toUint64(block.timestamp + timelockDelay);
    }

    /// @dev A pending proposal with this eta may be replaced only once it has expired.
    function _checkReplaceable(uint256 eta) private view {
        if (block.timestamp <= eta + GRACE_PERIOD) revert ProposalPending(eta);
    }

    /// @dev A proposal executes from its eta until its eta plus the grace period.
    function _checkExecutable(uint256 eta) private view {
        if (block.timestamp < eta) revert TimelockNotElapsed(eta);
        if (block.timestamp > eta + GRACE_PERIOD) revert ProposalExpired(eta + GRACE_PERIOD);
    }

    /// @dev A recipient contract that answers `splitter()` (one of our reward pools, or another emission recipient)
    ///      must name this splitter, `bucket` and `token_`, and is never the protection bucket's recipient; accounts
    ///      and other contracts (including those that answer `splitter()` with less than a word) are accepted.
    ///      Returns whether `recipient` is such a contract (a pool).
    function _checkRecipient(uint8 bucket, address recipient, address token_) private view returns (bool isRecipient) {
        uint256 declared;
        (isRecipient, declared) = _declaredSplitter(recipient);
        if (!isRecipient) return false;
        (bool bucketOk, uint256 declaredBucket) = _word(recipient, IEmissionRecipient.bucket.selector);
        (bool tokenOk, uint256 declaredToken) = _word(recipient, IEmissionRecipient.rewardToken.selector);
        if (
            bucket == PROTECTION || declared != uint256(uint160(address(this))) || !bucketOk
                || declaredBucket != bucket || !tokenOk || declaredToken != uint256(uint160(token_))
        ) revert RecipientMismatch(bucket, recipient);
    }

    /// @dev Whether `account` is an emission recipient contract: it answers `splitter()` with a word holding an
    ///      address (`declared`).
    function _declaredSplitter(address account) private view returns (bool isRecipient, uint256 declared) {
        if (account.code.length == 0) return (false, 0);
        (isRecipient, declared) = _word(account, IEmissionRecipient.splitter.selector);
        if (declared > type(uint160).max) isRecipient = false;
    }

    /// @dev Calls the view `selector` of `target` without arguments: whether it answered with at least one word,
    ///      and that word. A revert, a short answer or no code is `ok == false`, never a revert here.
    function _word(address target, bytes4 selector) private view returns (bool ok, uint256 value) {
        bytes memory data;
        (ok, data) = target.staticcall(abi.encodeWithSelector(selector));
        if (!ok || data.length < 32) return (false, 0);
        value = abi.decode(data, (uint256));
    }

    /// @dev Ends the running epoch: credits every bucket its full entitlement at the current shares (`packed`), and
    ///      starts the next one now with `nextShares` (one write per bucket).
    function _closeEpoch(uint80 packed, uint80 nextShares) private {
        uint256 epochEmission = _epochEmission(_buckets[0]);
        for (uint8 b = 0; b < BUCKETS; ++b) {
            Bucket memory entry = _buckets[b];
            entry.credited += uint96(_entitlement(b, epochEmission, packed)); // the total stays below 2^96
            entry.epochStart = uint40(block.timestamp);
            entry.share = _share(nextShares, b);
            _buckets[b] = entry;
        }
    }

    /// @dev The running epoch's entitlement that claims may pay: the exact share for buckets 0-3 (and for the
    ///      protection bucket once the curve has ended), the protection floor while it runs. Never decreases.
    function _payable(uint8 bucket, Bucket memory entry) private view returns (uint256) {
        uint256 epochEmission = _epochEmission(entry);
        if (bucket != PROTECTION) return _floorShare(epochEmission, entry.share);
        if (block.timestamp < curveEnd()) return _protectionFloor(epochEmission, entry.share);
        return _entitlement(PROTECTION, epochEmission, _packedShares());
    }

    function _epochEmission(Bucket memory entry) private view returns (uint256) {
        return _emittedUntil(block.timestamp) - _emittedUntil(entry.epochStart);
    }

    /// @dev The five buckets' current shares, packed 16 bits each.
    function _packedShares() private view returns (uint80 packed) {
        for (uint8 b = 0; b < BUCKETS; ++b) {
            packed |= uint80(_buckets[b].share) << (16 * b);
        }
    }

    /// @dev floor(D * share / BPS) for the four shared buckets; the protection bucket gets the rest.
    function _entitlement(uint8 bucket, uint256 epochEmission, uint80 packed) private pure returns (uint256) {
        if (bucket != PROTECTION) return _floorShare(epochEmission, _share(packed, bucket));
        uint256 rest = epochEmission;
        for (uint8 b = 0; b < PROTECTION; ++b) {
            rest -= _floorShare(epochEmission, _share(packed, b));
        }
        return rest;
    }

    /// @dev floor(D * share / BPS): a shared bucket's entitlement, the one rounding rule of the split.
    function _floorShare(uint256 epochEmission, uint16 share) private pure returns (uint256) {
        return epochEmission * share / BPS;
    }

    /// @dev ceil(D * share_4 / BPS): a lower bound of the protection entitlement that never decreases as D grows.
    function _protectionFloor(uint256 epochEmission, uint16 share) private pure returns (uint256) {
        return (epochEmission * share + BPS - 1) / BPS;
    }

    /// @dev E(t): whole intervals as an arithmetic series plus the current interval prorated, rounded down.
    function _emittedUntil(uint256 time) private view returns (uint256) {
        if (time <= start) return 0;
        // Unchecked: nothing here can wrap. time > start; full < intervals <= initialReward < 2^96 (the constructor
        // refuses larger curves), so full * rewardDecrease < initialReward, full * initialReward < 2^192, the series'
        // subtrahend is below its minuend (every term is positive), and the partial product is below
        // 2^96 * interval <= 2^160 (interval < 2^64, checked).
        unchecked {
            uint256 elapsed = time - start;
            uint256 full = elapsed / interval;
            if (full >= intervals) return totalEmission;
            uint256 partialReward = (initialReward - full * rewardDecrease) * (elapsed % interval) / interval;
            return full * initialReward - rewardDecrease * (full * (full - 1) / 2) + partialReward;
        }
    }

    /// @dev Sum of the first n interval rewards: n*r0 - d*n*(n-1)/2 (exact: n*(n-1) is even; no underflow for
    ///      n <= intervals because every term is positive).
    function _seriesSum(uint256 n, uint256 r0, uint256 d) private pure returns (uint256) {
        if (n == 0) return 0;
        return n * r0 - d * (n * (n - 1) / 2);
    }

    function _pack(uint16[5] memory values) private pure returns (uint80 packed) {
        uint256 sum = 0;
        for (uint8 b = 0; b < BUCKETS; ++b) {
            sum += values[b];
            packed |= uint80(values[b]) << (16 * b);
        }
        if (sum != BPS) revert InvalidShares(sum);
    }

    function _unpack(uint80 packed) private pure returns (uint16[5] memory values) {
        for (uint8 b = 0; b < BUCKETS; ++b) {
            values[b] = _share(packed, b);
        }
    }

    function _share(uint80 packed, uint8 bucket) private pure returns (uint16) {
        return uint16(packed >> (16 * bucket));
    }

    function _checkBucket(uint8 bucket) private pure {
        if (bucket >= BUCKETS) revert InvalidBucket(bucket);
    }
}
