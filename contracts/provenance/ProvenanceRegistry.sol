// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IProvenanceRegistry} from "./interfaces/IProvenanceRegistry.sol";

/// @title ProvenanceRegistry
/// @notice Registers content hashes once, with a creator and a first-seen time nobody can rewrite, a derivation
///         graph that cannot contain cycles, gasless registration, revocation and endorsement by EIP-712 signature,
///         and commit-reveal protection against mempool copiers and untrusted relayers. There is no owner, no
///         upgrade key and no pause: nobody can edit history.
/// @dev Rules, in one place:
///      - A hash is registered once. Its record changes afterwards only by (a) `revoke` by its creator, which sets
///        the revoked flag (finally) and nothing else, and (b) a takeover by a reveal of a commit made strictly
///        before the record's `registeredAt`, also by the record's own creator (a self-takeover: a creator that
///        committed and then registered directly moves its record back to the commit time, so the earliest
///        commitment always wins). A takeover therefore always moves `registeredAt` strictly earlier, so
///        (contentHash, registeredAt) identifies one record; endorsements are stored under it and name it.
///      - An address that revoked its record of a hash can never hold that hash again (`_revokedAt`), neither by
///        its own earlier commit nor after an intermediate takeover: revocation cannot be undone. The hash itself
///        is not dead: another address's strictly earlier commit can still replace a revoked record until it is
///        final.
///      - A signed reveal names its commitment's time and carries no nonce: it can only be signed once the
///        commitment is on chain, and anyone can relay it while the commitment is revealable.
///      - Parents must be registered and unrevoked when the child is registered, and registered no later than the
///        child's `registeredAt` (for a reveal: the commit time). Every edge therefore points from a younger or
///        equal-time record to an older one that existed first, so the graph stays acyclic, including across
///        takeovers (every descendant of a record is at least as young as the record was before the takeover).
///      - A record is final from `registeredAt + maxCommitAge` on: no commit older than it can still be revealed.
contract ProvenanceRegistry is IProvenanceRegistry, EIP712 {
    /// @notice Most parents a record may list.
    uint256 public constant MAX_PARENTS = 16;
    /// @notice Upper bound for the constructor's `maxCommitAge`.
    uint64 public constant MAX_COMMIT_AGE_LIMIT = 365 days;
    /// @notice EIP-712 type hash of the `Register` struct signed for `registerBySig`.
    bytes32 public constant REGISTER_TYPEHASH = keccak256(
        "Register(address creator,bytes32 contentHash,uint8 kind,uint8 origin,bytes32 manifestHash,bytes32[] parents,uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type hash of the `Reveal` struct signed for `revealBySig`. It names the commitment's on-chain
    ///         time instead of a nonce and a deadline: it can only be signed once the commitment is on chain, it is
    ///         single-use (the commitment is consumed; a re-commit gets another time), a withheld one never blocks
    ///         other requests, and it is valid exactly while that commitment can be revealed.
    bytes32 public constant REVEAL_TYPEHASH = keccak256(
        "Reveal(address creator,bytes32 contentHash,uint8 kind,uint8 origin,bytes32 manifestHash,bytes32[] parents,bytes32 salt,uint64 committedAt)"
    );
    /// @notice EIP-712 type hash of the `Revoke` struct signed for `revokeBySig`; it names the record.
    bytes32 public constant REVOKE_TYPEHASH =
        keccak256("Revoke(address creator,bytes32 contentHash,uint64 registeredAt,uint256 nonce,uint256 deadline)");
    /// @notice EIP-712 type hash of the `Endorse` struct signed for `endorseBySig`.
    bytes32 public constant ENDORSE_TYPEHASH = keccak256(
        "Endorse(address endorser,bytes32 contentHash,address creator,uint64 registeredAt,bytes32 claim,uint256 nonce,uint256 deadline)"
    );
    /// @notice Most nonces one `invalidateNonces` call may skip (as Permit2), so a typo cannot exhaust an account.
    uint256 public constant MAX_NONCE_JUMP = type(uint16).max;
    /// @dev ERC-165 ids: ERC-165 itself and ERC-5732's `IERC_COMMIT_CORE` (`commit(bytes32)`).
    bytes4 private constant _ERC165_ID = 0x01ffc9a7;
    bytes4 private constant _ERC5732_CORE_ID = 0xf14fcbc8;

    /// @inheritdoc IProvenanceRegistry
    uint64 public immutable minCommitAge;
    /// @inheritdoc IProvenanceRegistry
    uint64 public immutable maxCommitAge;

    /// @dev `_reveal`'s `signedCommitTime` for a plain reveal: no signed commit time to compare.
    uint64 private constant _ANY_COMMIT_TIME = type(uint64).max;

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
    mapping(address owner => uint256) private _nonces;
    /// @dev Per (hash, creator): the revocation survives a takeover, so the revoker can never get the hash back.
    mapping(bytes32 contentHash => mapping(address creator => uint64)) private _revokedAt;
    /// @dev Keyed by the record (hash, registeredAt) so endorsements of a replaced record stay readable and are
    ///      never mistaken for endorsements of the current one.
    mapping(
        bytes32 contentHash
            => mapping(uint64 registeredAt => mapping(address endorser => mapping(bytes32 claim => uint64)))
    ) private _endorsements;

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
        _checkKindAndOrigin(kind, origin);
        _register(contentHash, msg.sender, kind, origin, manifestHash, parents);
    }

    /// @inheritdoc IProvenanceRegistry
    function registerBatch(
        bytes32[] calldata contentHashes,
        uint8 kind,
        uint8 origin,
        bytes32[] calldata manifestHashes,
        bytes32[][] calldata parents
    ) external {
        uint256 count = contentHashes.length;
        uint256 manifests = manifestHashes.length;
        uint256 parentLists = parents.length;
        if ((manifests != 0 && manifests != count) || (parentLists != 0 && parentLists != count)) {
            revert BatchLengthMismatch(count, manifests, parentLists);
        }
        _checkKindAndOrigin(kind, origin);
        if (manifests == 0 && parentLists == 0) _registerPlain(contentHashes, kind, origin);
        else _registerDetailed(contentHashes, kind, origin, manifestHashes, parents);
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
        // Two static-word encodings concatenated equal one abi.encode of all nine fields (fewer stack slots).
        bytes memory head = abi.encode(REGISTER_TYPEHASH, creator, contentHash, kind, origin);
        bytes memory tail = abi.encode(manifestHash, keccak256(abi.encodePacked(parents)), _useNonce(creator), deadline);
        _checkSignature(creator, keccak256(bytes.concat(head, tail)), deadline, signature);
        _checkKindAndOrigin(kind, origin);
        _register(contentHash, creator, kind, origin, manifestHash, parents);
    }

    // ------------------------------------------------------------------ commit-reveal

    /// @inheritdoc IProvenanceRegistry
    function commit(bytes32 commitment) external {
        uint64 committedAt = _commitTimes[commitment];
        // No overflow: committedAt is a block time and maxCommitAge is at most 365 days.
        if (committedAt == 0 || block.timestamp > committedAt + maxCommitAge) {
            committedAt = uint64(block.timestamp);
            _commitTimes[commitment] = committedAt;
        }
        // A repeat of a revealable commitment is a no-op that still says who sent it (no reset, no revert); a repeat
        // of an expired one restarts its time, as a first commit would.
        emit Commit(committedAt, msg.sender, commitment, "");
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
        _reveal(msg.sender, contentHash, kind, origin, manifestHash, parents, salt, _ANY_COMMIT_TIME);
    }

    /// @inheritdoc IProvenanceRegistry
    function revealBySig(
        address creator,
        bytes32 contentHash,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] calldata parents,
        bytes32 salt,
        uint64 committedAt,
        bytes calldata signature
    ) external {
        bytes memory head = abi.encode(REVEAL_TYPEHASH, creator, contentHash, kind, origin, manifestHash);
        bytes memory tail = abi.encode(keccak256(abi.encodePacked(parents)), salt, committedAt);
        _checkSigner(creator, keccak256(bytes.concat(head, tail)), signature);
        // The plain reveal's marker for "no signed time" is never a time a signature may name: a Reveal signed
        // with it would otherwise be valid for any later (re-)commit of the same commitment.
        if (committedAt == _ANY_COMMIT_TIME) {
            bytes32 commitment = commitmentOf(contentHash, creator, salt);
            revert CommitTimeMismatch(commitment, committedAt, _commitTimes[commitment]);
        }
        _reveal(creator, contentHash, kind, origin, manifestHash, parents, salt, committedAt);
    }

    // ------------------------------------------------------------------ revocation and endorsements

    /// @inheritdoc IProvenanceRegistry
    function revoke(bytes32 contentHash) external {
        _revoke(contentHash, msg.sender);
    }

    /// @inheritdoc IProvenanceRegistry
    function revokeBySig(
        address creator,
        bytes32 contentHash,
        uint64 registeredAt,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash =
            keccak256(abi.encode(REVOKE_TYPEHASH, creator, contentHash, registeredAt, _useNonce(creator), deadline));
        _checkSignature(creator, structHash, deadline, signature);
        uint64 current = _existing(contentHash).registeredAt;
        if (current != registeredAt) revert RecordChanged(contentHash, _cores[contentHash].creator, current);
        _revoke(contentHash, creator);
    }

    /// @inheritdoc IProvenanceRegistry
    function endorse(bytes32 contentHash, address creator, uint64 registeredAt, bytes32 claim) external {
        _endorse(contentHash, msg.sender, claim, creator, registeredAt);
    }

    /// @inheritdoc IProvenanceRegistry
    function endorseBySig(
        address endorser,
        bytes32 contentHash,
        address creator,
        uint64 registeredAt,
        bytes32 claim,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes memory head = abi.encode(ENDORSE_TYPEHASH, endorser, contentHash, creator, registeredAt);
        bytes memory tail = abi.encode(claim, _useNonce(endorser), deadline);
        _checkSignature(endorser, keccak256(bytes.concat(head, tail)), deadline, signature);
        _endorse(contentHash, endorser, claim, creator, registeredAt);
    }

    /// @inheritdoc IProvenanceRegistry
    function revokeEndorsement(bytes32 contentHash, uint64 registeredAt, bytes32 claim) external {
        mapping(bytes32 claim => uint64) storage claims = _endorsements[contentHash][registeredAt][msg.sender];
        if (claims[claim] == 0) revert NotEndorsed(contentHash, msg.sender, claim);
        delete claims[claim];
        emit EndorsementRevoked(contentHash, msg.sender, claim, registeredAt);
    }

    /// @inheritdoc IProvenanceRegistry
    function invalidateNonces(uint256 newNonce) external {
        uint256 current = _nonces[msg.sender];
        // No underflow: the subtraction runs only when newNonce > current.
        if (newNonce <= current || newNonce - current > MAX_NONCE_JUMP) {
            revert InvalidNonceJump(current, newNonce, MAX_NONCE_JUMP);
        }
        _nonces[msg.sender] = newNonce;
        emit NoncesInvalidated(msg.sender, current, newNonce);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IProvenanceRegistry
    function getRecord(bytes32 contentHash) external view returns (Record memory) {
        Core memory core = _existing(contentHash);
        return Record(core.creator, core.registeredAt, core.kind, core.origin, core.revoked, _manifests[contentHash]);
    }

    /// @inheritdoc IProvenanceRegistry
    function parentsOf(bytes32 contentHash) external view returns (bytes32[] memory parents) {
        uint256 count = _existing(contentHash).parentCount;
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
    function revokedAt(bytes32 contentHash) external view returns (uint64) {
        return _revokedAt[contentHash][_existing(contentHash).creator];
    }

    /// @inheritdoc IProvenanceRegistry
    function contestableUntil(bytes32 contentHash) public view returns (uint64) {
        // No overflow: registeredAt is a block time and maxCommitAge is at most 365 days; both are >= 1.
        return _existing(contentHash).registeredAt + maxCommitAge - 1;
    }

    /// @inheritdoc IProvenanceRegistry
    function isFinal(bytes32 contentHash) external view returns (bool) {
        return block.timestamp > contestableUntil(contentHash);
    }

    /// @inheritdoc IProvenanceRegistry
    function endorsedAt(bytes32 contentHash, address endorser, bytes32 claim) external view returns (uint64) {
        return _endorsements[contentHash][_existing(contentHash).registeredAt][endorser][claim];
    }

    /// @inheritdoc IProvenanceRegistry
    function endorsementAt(bytes32 contentHash, uint64 registeredAt, address endorser, bytes32 claim)
        external
        view
        returns (uint64)
    {
        return _endorsements[contentHash][registeredAt][endorser][claim];
    }

    /// @inheritdoc IProvenanceRegistry
    function commitTime(bytes32 commitment) external view returns (uint64) {
        return _commitTimes[commitment];
    }

    /// @inheritdoc IProvenanceRegistry
    function commitmentOf(bytes32 contentHash, address creator, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(contentHash, creator, salt));
    }

    /// @inheritdoc IProvenanceRegistry
    function nonces(address owner) external view returns (uint256) {
        return _nonces[owner];
    }

    /// @notice The EIP-712 domain separator (chain id and this contract's address are part of it).
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice ERC-165: ERC-165 itself and ERC-5732's commit core (`0xf14fcbc8`).
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == _ERC165_ID || interfaceId == _ERC5732_CORE_ID;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Returns `owner`'s current nonce and moves it on by one (`NonceUsed`).
    function _useNonce(address owner) private returns (uint256 nonce) {
        nonce = _nonces[owner];
        // No overflow: a nonce grows by one per signature or by at most MAX_NONCE_JUMP per call, never near 2^256.
        unchecked {
            _nonces[owner] = nonce + 1;
        }
        emit NonceUsed(owner, nonce);
    }

    /// @dev Reverts unless `signer` authorized `structHash` before `deadline`. ECDSA first: a recovered address equal
    ///      to `signer` is accepted even when `signer` has code, so an EIP-7702 delegated EOA signs with its own key;
    ///      otherwise an account with code is asked through ERC-1271. `tryRecover` rejects high-s and malformed
    ///      signatures. A contract address cannot be the ECDSA signer of anything (nobody holds its key).
    function _checkSignature(address signer, bytes32 structHash, uint256 deadline, bytes calldata signature)
        private
        view
    {
        if (block.timestamp > deadline) revert ExpiredSignature(deadline);
        _checkSigner(signer, structHash, signature);
    }

    /// @dev `_checkSignature` without a deadline (a signed reveal is bounded by its commitment's window instead).
    function _checkSigner(address signer, bytes32 structHash, bytes calldata signature) private view {
        bytes32 digest = _hashTypedDataV4(structHash);
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return;
        if (signer.code.length != 0 && SignatureChecker.isValidERC1271SignatureNow(signer, digest, signature)) return;
        revert InvalidSignature(signer);
    }

    /// @dev Kind and origin must be checked by the caller (a batch checks them once).
    function _register(
        bytes32 contentHash,
        address creator,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] calldata parents
    ) private {
        _checkNew(contentHash);
        uint64 time = uint64(block.timestamp);
        _checkParents(parents, time);
        // parents.length <= MAX_PARENTS (checked above) fits in uint8.
        _cores[contentHash] = Core(creator, time, kind, origin, false, uint8(parents.length));
        _storeExtras(contentHash, manifestHash, parents);
        emit Registered(contentHash, creator, kind, origin, time, manifestHash, parents);
    }

    /// @dev The common batch, kept lean (budget 30,000 gas per item): one slot per item, nothing else to check. A
    ///      function of its own so the legacy (non-IR) pipeline used for mutation testing fits the stack.
    function _registerPlain(bytes32[] calldata contentHashes, uint8 kind, uint8 origin) private {
        uint64 time = uint64(block.timestamp);
        for (uint256 i = 0; i < contentHashes.length; ++i) {
            bytes32 contentHash = contentHashes[i];
            _checkNew(contentHash);
            _cores[contentHash] = Core(msg.sender, time, kind, origin, false, 0);
            emit Registered(contentHash, msg.sender, kind, origin, time, bytes32(0), contentHashes[0:0]);
        }
    }

    /// @dev A batch with manifests and/or parents per item (each array empty or one entry per item).
    function _registerDetailed(
        bytes32[] calldata contentHashes,
        uint8 kind,
        uint8 origin,
        bytes32[] calldata manifestHashes,
        bytes32[][] calldata parents
    ) private {
        for (uint256 i = 0; i < contentHashes.length; ++i) {
            _register(
                contentHashes[i],
                msg.sender,
                kind,
                origin,
                manifestHashes.length != 0 ? manifestHashes[i] : bytes32(0),
                parents.length != 0 ? parents[i] : contentHashes[0:0]
            );
        }
    }

    function _reveal(
        address creator,
        bytes32 contentHash,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] calldata parents,
        bytes32 salt,
        uint64 signedCommitTime
    ) private {
        bytes32 commitment = commitmentOf(contentHash, creator, salt);
        uint64 committedAt = _commitTimes[commitment];
        if (committedAt == 0) revert UnknownCommitment(commitment);
        if (signedCommitTime != _ANY_COMMIT_TIME && signedCommitTime != committedAt) {
            revert CommitTimeMismatch(commitment, signedCommitTime, committedAt);
        }
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
        if (existing.creator != address(0)) {
            if (existing.registeredAt <= committedAt) {
                revert AlreadyRegistered(contentHash, existing.creator, existing.registeredAt);
            }
            // The creator itself may reveal an earlier own commit (self-takeover: it moves its record's time back, so
            // a copier who committed in between cannot win), but never after revoking the hash.
            uint64 revokedTime = _revokedAt[contentHash][creator];
            if (revokedTime != 0) revert RevokedByCreator(contentHash, creator, revokedTime);
        }
        _checkParents(parents, committedAt);

        delete _commitTimes[commitment];
        // parents.length <= MAX_PARENTS (checked above) fits in uint8.
        _cores[contentHash] = Core(creator, committedAt, kind, origin, false, uint8(parents.length));
        if (existing.creator != address(0)) {
            // Takeover: the whole record becomes the revealer's. The old manifest is overwritten (also with zero);
            // the new parents overwrite the old ones and the new parentCount hides any old entries beyond it.
            if (_manifests[contentHash] != manifestHash) _manifests[contentHash] = manifestHash;
            _storeParents(contentHash, parents);
            emit Superseded(contentHash, existing.creator, creator, existing.registeredAt, committedAt);
        } else {
            _storeExtras(contentHash, manifestHash, parents);
        }
        emit Registered(contentHash, creator, kind, origin, committedAt, manifestHash, parents);
        emit Revealed(contentHash, creator, commitment);
    }

    function _revoke(bytes32 contentHash, address caller) private {
        Core storage core = _cores[contentHash];
        address creator = core.creator;
        if (creator == address(0)) revert NotRegistered(contentHash);
        if (creator != caller) revert NotCreator(contentHash, caller, creator);
        if (core.revoked) revert AlreadyRevoked(contentHash);
        core.revoked = true;
        uint64 time = uint64(block.timestamp);
        _revokedAt[contentHash][creator] = time;
        emit Revoked(contentHash, creator, core.registeredAt, time);
    }

    /// @dev `creator` and `registeredAt` name the record the endorser vouches for; it must be the current one.
    function _endorse(bytes32 contentHash, address endorser, bytes32 claim, address creator, uint64 registeredAt)
        private
    {
        if (claim == bytes32(0)) revert ZeroClaim();
        Core memory core = _existing(contentHash);
        if (core.creator != creator || core.registeredAt != registeredAt) {
            revert RecordChanged(contentHash, core.creator, core.registeredAt);
        }
        mapping(bytes32 claim => uint64) storage claims = _endorsements[contentHash][registeredAt][endorser];
        if (claims[claim] != 0) revert AlreadyEndorsed(contentHash, endorser, claim);
        uint64 time = uint64(block.timestamp);
        claims[claim] = time;
        emit Endorsed(contentHash, endorser, claim, creator, registeredAt, time);
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

    function _existing(bytes32 contentHash) private view returns (Core memory core) {
        core = _cores[contentHash];
        if (core.creator == address(0)) revert NotRegistered(contentHash);
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
