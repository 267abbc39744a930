// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IProvenanceRegistry} from "./interfaces/IProvenanceRegistry.sol";

/// @title ProvenanceRegistry
/// @notice Registers content hashes once, with a creator and a first-seen time nobody can rewrite, a derivation
///         graph that cannot contain cycles, gasless registration by EIP-712 signature, and commit-reveal protection
///         against mempool copiers. There is no owner, no upgrade key and no pause: nobody can edit history.
/// @dev Rules, in one place:
///      - A hash is registered once. Its record changes afterwards only by (a) `revoke` by its creator, which sets
///        the revoked flag and nothing else, and (b) a takeover by `reveal` of a commit made strictly before the
///        record's `registeredAt`.
///      - Parents must be registered and unrevoked when the child is registered, and registered no later than the
///        child's `registeredAt` (for a reveal: the commit time). Every edge therefore points from a younger or
///        equal-time record to an older one that existed first, so the graph stays acyclic, including across
///        takeovers (every descendant of a record is at least as young as the record was before the takeover).
///      - A direct registration becomes final once `maxCommitAge` has passed: no commit older than that can still
///        be revealed.
contract ProvenanceRegistry is IProvenanceRegistry, EIP712, Nonces {
    /// @notice Most parents a record may list.
    uint256 public constant MAX_PARENTS = 16;
    /// @notice Upper bound for the constructor's `maxCommitAge`.
    uint64 public constant MAX_COMMIT_AGE_LIMIT = 365 days;
    /// @notice EIP-712 type hash of the `Register` struct signed for `registerBySig`.
    bytes32 public constant REGISTER_TYPEHASH = keccak256(
        "Register(address creator,bytes32 contentHash,uint8 kind,uint8 origin,bytes32 manifestHash,bytes32[] parents,uint256 nonce,uint256 deadline)"
    );

    /// @inheritdoc IProvenanceRegistry
    uint64 public immutable minCommitAge;
    /// @inheritdoc IProvenanceRegistry
    uint64 public immutable maxCommitAge;

    /// @dev The first slot of a `Record`, exactly 32 bytes: creator 20, registeredAt 8, kind 1, origin 1, revoked 1,
    ///      parentCount 1. The manifest hash lives apart so a registration without one writes exactly one slot, and
    ///      the parent count lives here so the parent list needs no length slot of its own.
    struct Core {
        address creator;
        uint64 registeredAt;
        uint8 kind;
        uint8 origin;
        bool revoked;
        uint8 parentCount;
    }

    mapping(bytes32 contentHash => Core) private _cores;
    mapping(bytes32 contentHash => bytes32) private _manifests;
    /// @dev Entries at index >= parentCount are stale leftovers of a takeover and are never read.
    mapping(bytes32 contentHash => mapping(uint256 index => bytes32 parent)) private _parents;
    mapping(bytes32 commitment => uint64) private _commitTimes;
    mapping(bytes32 contentHash => mapping(address endorser => mapping(bytes32 claim => uint64))) private _endorsements;

    /// @param minCommitAge_ Seconds a commitment must wait before it can be revealed (default 60).
    /// @param maxCommitAge_ Seconds after which a commitment can no longer be revealed (default 1 day, at most 365 days).
    constructor(uint64 minCommitAge_, uint64 maxCommitAge_) EIP712("ProvenanceRegistry", "1") {
        if (maxCommitAge_ == 0 || minCommitAge_ > maxCommitAge_ || maxCommitAge_ > MAX_COMMIT_AGE_LIMIT) {
            revert InvalidCommitAges(minCommitAge_, maxCommitAge_);
        }
        minCommitAge = minCommitAge_;
        maxCommitAge = maxCommitAge_;
    }

    // ------------------------------------------------------------------ registration

    /// @inheritdoc IProvenanceRegistry
    function register(bytes32 contentHash, uint8 kind, uint8 origin, bytes32 manifestHash, bytes32[] calldata parents)
        external
    {
        _register(contentHash, msg.sender, kind, origin, manifestHash, parents);
    }

    /// @inheritdoc IProvenanceRegistry
    function registerBatch(bytes32[] calldata contentHashes, uint8 kind, uint8 origin) external {
        _checkKindAndOrigin(kind, origin);
        bytes32[] memory noParents = new bytes32[](0);
        uint64 time = uint64(block.timestamp);
        for (uint256 i = 0; i < contentHashes.length; ++i) {
            bytes32 contentHash = contentHashes[i];
            _checkNew(contentHash);
            _cores[contentHash] = Core(msg.sender, time, kind, origin, false, 0);
            emit Registered(contentHash, msg.sender, kind, origin, bytes32(0), noParents);
        }
    }

    /// @inheritdoc IProvenanceRegistry
    function registerBySig(
        address creator,
        bytes32 contentHash,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] calldata parents,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp > deadline) revert ExpiredSignature(deadline);
        bytes32 digest = _registerDigest(creator, contentHash, kind, origin, manifestHash, parents, deadline);
        // SignatureChecker rejects high-s and malformed ECDSA signatures and asks contract wallets (ERC-1271).
        if (!SignatureChecker.isValidSignatureNow(creator, digest, signature)) revert InvalidSignature(creator);
        _register(contentHash, creator, kind, origin, manifestHash, parents);
    }

    // ------------------------------------------------------------------ commit-reveal

    /// @inheritdoc IProvenanceRegistry
    function commit(bytes32 commitment) external {
        uint64 committedAt = _commitTimes[commitment];
        if (committedAt != 0) revert AlreadyCommitted(commitment, committedAt);
        _commitTimes[commitment] = uint64(block.timestamp);
        emit Committed(commitment, msg.sender);
    }

    /// @inheritdoc IProvenanceRegistry
    function reveal(
        bytes32 contentHash,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] calldata parents,
        bytes32 salt
    ) external {
        bytes32 commitment = commitmentOf(contentHash, msg.sender, salt);
        uint64 committedAt = _commitTimes[commitment];
        if (committedAt == 0) revert UnknownCommitment(commitment);
        // No overflow: committedAt is a block time and both ages are at most 365 days (constructor).
        if (block.timestamp < committedAt + minCommitAge) {
            revert CommitmentTooNew(commitment, committedAt + minCommitAge);
        }
        if (block.timestamp > committedAt + maxCommitAge) {
            revert CommitmentExpired(commitment, committedAt + maxCommitAge);
        }
        _checkKindAndOrigin(kind, origin);
        if (contentHash == bytes32(0)) revert ZeroContentHash();

        Core memory existing = _cores[contentHash];
        if (existing.creator != address(0) && existing.registeredAt <= committedAt) {
            revert AlreadyRegistered(contentHash, existing.creator, existing.registeredAt);
        }
        _checkParents(parents, committedAt);

        delete _commitTimes[commitment];
        // parents.length <= MAX_PARENTS (checked above) fits in uint8.
        _cores[contentHash] = Core(msg.sender, committedAt, kind, origin, false, uint8(parents.length));
        if (existing.creator != address(0)) {
            // Takeover: the whole record becomes the revealer's. The old manifest is overwritten (also with zero);
            // the new parents overwrite the old ones and the new parentCount hides any old entries beyond it.
            if (_manifests[contentHash] != manifestHash) _manifests[contentHash] = manifestHash;
            _storeParents(contentHash, parents);
            emit Superseded(contentHash, existing.creator, msg.sender);
        } else {
            _storeExtras(contentHash, manifestHash, parents);
        }
        emit Registered(contentHash, msg.sender, kind, origin, manifestHash, parents);
    }

    // ------------------------------------------------------------------ revocation and endorsements

    /// @inheritdoc IProvenanceRegistry
    function revoke(bytes32 contentHash) external {
        Core storage core = _cores[contentHash];
        address creator = core.creator;
        if (creator == address(0)) revert NotRegistered(contentHash);
        if (creator != msg.sender) revert NotCreator(contentHash, msg.sender, creator);
        if (core.revoked) revert AlreadyRevoked(contentHash);
        core.revoked = true;
        emit Revoked(contentHash, creator);
    }

    /// @inheritdoc IProvenanceRegistry
    function endorse(bytes32 contentHash, bytes32 claim) external {
        if (claim == bytes32(0)) revert ZeroClaim();
        if (_cores[contentHash].creator == address(0)) revert NotRegistered(contentHash);
        mapping(bytes32 claim => uint64) storage claims = _endorsements[contentHash][msg.sender];
        if (claims[claim] != 0) revert AlreadyEndorsed(contentHash, msg.sender, claim);
        claims[claim] = uint64(block.timestamp);
        emit Endorsed(contentHash, msg.sender, claim);
    }

    /// @inheritdoc IProvenanceRegistry
    function revokeEndorsement(bytes32 contentHash, bytes32 claim) external {
        mapping(bytes32 claim => uint64) storage claims = _endorsements[contentHash][msg.sender];
        if (claims[claim] == 0) revert NotEndorsed(contentHash, msg.sender, claim);
        delete claims[claim];
        emit EndorsementRevoked(contentHash, msg.sender, claim);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IProvenanceRegistry
    function getRecord(bytes32 contentHash) external view returns (Record memory) {
        Core memory core = _cores[contentHash];
        return Record(core.creator, core.registeredAt, core.kind, core.origin, core.revoked, _manifests[contentHash]);
    }

    /// @inheritdoc IProvenanceRegistry
    function parentsOf(bytes32 contentHash) external view returns (bytes32[] memory parents) {
        uint256 count = _cores[contentHash].parentCount;
        parents = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            parents[i] = _parents[contentHash][i];
        }
    }

    /// @inheritdoc IProvenanceRegistry
    function isRegistered(bytes32 contentHash) external view returns (bool) {
        return _cores[contentHash].creator != address(0);
    }

    /// @inheritdoc IProvenanceRegistry
    function endorsedAt(bytes32 contentHash, address endorser, bytes32 claim) external view returns (uint64) {
        return _endorsements[contentHash][endorser][claim];
    }

    /// @inheritdoc IProvenanceRegistry
    function commitTime(bytes32 commitment) external view returns (uint64) {
        return _commitTimes[commitment];
    }

    /// @inheritdoc IProvenanceRegistry
    function commitmentOf(bytes32 contentHash, address committer, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(contentHash, committer, salt));
    }

    /// @inheritdoc IProvenanceRegistry
    function nonces(address owner) public view override(IProvenanceRegistry, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @notice The EIP-712 domain separator (chain id and this contract's address are part of it).
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ internals

    /// @dev EIP-712 digest of a `Register` request with `creator`'s current nonce, which it consumes.
    function _registerDigest(
        address creator,
        bytes32 contentHash,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] calldata parents,
        uint256 deadline
    ) private returns (bytes32) {
        // Two static-word encodings concatenated equal one abi.encode of all nine fields (fewer stack slots).
        bytes memory head = abi.encode(REGISTER_TYPEHASH, creator, contentHash, kind, origin);
        bytes memory tail = abi.encode(manifestHash, keccak256(abi.encodePacked(parents)), _useNonce(creator), deadline);
        return _hashTypedDataV4(keccak256(bytes.concat(head, tail)));
    }

    function _register(
        bytes32 contentHash,
        address creator,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] calldata parents
    ) private {
        _checkKindAndOrigin(kind, origin);
        _checkNew(contentHash);
        uint64 time = uint64(block.timestamp);
        _checkParents(parents, time);
        // parents.length <= MAX_PARENTS (checked above) fits in uint8.
        _cores[contentHash] = Core(creator, time, kind, origin, false, uint8(parents.length));
        _storeExtras(contentHash, manifestHash, parents);
        emit Registered(contentHash, creator, kind, origin, manifestHash, parents);
    }

    /// @dev Writes the manifest and parent slots only when there is something to write (a zero write to a zero
    ///      slot still costs a cold access).
    function _storeExtras(bytes32 contentHash, bytes32 manifestHash, bytes32[] calldata parents) private {
        if (manifestHash != bytes32(0)) _manifests[contentHash] = manifestHash;
        _storeParents(contentHash, parents);
    }

    function _storeParents(bytes32 contentHash, bytes32[] calldata parents) private {
        for (uint256 i = 0; i < parents.length; ++i) {
            _parents[contentHash][i] = parents[i];
        }
    }

    function _checkNew(bytes32 contentHash) private view {
        if (contentHash == bytes32(0)) revert ZeroContentHash();
        Core storage existing = _cores[contentHash];
        address creator = existing.creator;
        if (creator != address(0)) revert AlreadyRegistered(contentHash, creator, existing.registeredAt);
    }

    function _checkKindAndOrigin(uint8 kind, uint8 origin) private pure {
        if (kind > uint8(type(Kind).max)) revert InvalidKind(kind);
        if (origin > uint8(type(Origin).max)) revert InvalidOrigin(origin);
    }

    /// @dev O(n^2) duplicate check, bounded by MAX_PARENTS = 16 (at most 120 comparisons).
    function _checkParents(bytes32[] calldata parents, uint64 latest) private view {
        uint256 count = parents.length;
        if (count > MAX_PARENTS) revert TooManyParents(count, MAX_PARENTS);
        for (uint256 i = 0; i < count; ++i) {
            bytes32 parent = parents[i];
            for (uint256 j = 0; j < i; ++j) {
                if (parents[j] == parent) revert DuplicateParent(parent);
            }
            Core memory core = _cores[parent];
            if (core.creator == address(0)) revert UnknownParent(parent);
            if (core.revoked) revert RevokedParent(parent);
            if (core.registeredAt > latest) revert ParentTooRecent(parent, core.registeredAt, latest);
        }
    }
}
