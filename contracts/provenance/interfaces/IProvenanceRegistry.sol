// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProvenanceRegistry
/// @notice First-seen provenance for content hashes (files, models, datasets, prompts): who registered a hash
///         first and when, what it was derived from, who vouches for it. Records are never deleted; the only change
///         to a record's creator and time is a takeover by a reveal of a commit made before it (see `reveal`).
/// @dev By convention `contentHash` is the SHA-256 of the file's bytes, as in C2PA hard bindings and ANS-112.
///      A record is identified by (contentHash, registeredAt): a takeover always moves `registeredAt` strictly
///      earlier, so no two records of one hash share a time. Endorsements belong to one record.
interface IProvenanceRegistry {
    /// @notice What a hash identifies.
    enum Kind {
        Content,
        Model,
        Dataset,
        Prompt
    }

    /// @notice How the content was made.
    enum Origin {
        Unspecified,
        Human,
        AIGenerated,
        AIAssisted,
        Composite
    }

    /// @notice A registered hash. `creator`, `registeredAt`, `kind`, `origin` and `revoked` share one slot;
    ///         `manifestHash` (a C2PA manifest, a DCPR tag set, an Arweave or IPFS id) uses a second slot only when
    ///         non-zero.
    struct Record {
        address creator;
        uint64 registeredAt;
        uint8 kind;
        uint8 origin;
        bool revoked;
        bytes32 manifestHash;
    }

    /// @notice `creator` registered `contentHash` (directly, by batch, by signature or by reveal) with time
    ///         `registeredAt` (for a reveal: the commit time, not the block time). Applying these events in order
    ///         rebuilds every record: a later `Registered` of the same hash replaces the whole record (a takeover).
    event Registered(
        bytes32 indexed contentHash,
        address indexed creator,
        uint8 indexed kind,
        uint8 origin,
        uint64 registeredAt,
        bytes32 manifestHash,
        bytes32[] parents
    );
    /// @notice The `Registered` event just before was a reveal of `commitment` (which is consumed).
    event Revealed(bytes32 indexed contentHash, address indexed creator, bytes32 indexed commitment);
    /// @notice A reveal with an earlier commit replaced the record of `contentHash` (`previousCreator` at
    ///         `previousRegisteredAt`) by `newCreator`'s record at `newRegisteredAt`; the old record's revocation and
    ///         endorsements stay with the old record. `previousCreator == newCreator` is a self-takeover: the creator
    ///         revealed its own earlier commit and its record moved back in time.
    event Superseded(
        bytes32 indexed contentHash,
        address indexed previousCreator,
        address indexed newCreator,
        uint64 previousRegisteredAt,
        uint64 newRegisteredAt
    );
    /// @notice `creator` revoked its record of `contentHash` (registered at `registeredAt`) at `revokedAt`; final.
    event Revoked(bytes32 indexed contentHash, address indexed creator, uint64 registeredAt, uint64 revokedAt);
    /// @notice ERC-5732: `_from` sent `_commitment`, whose commit time is `_timePoint`. Emitted on every `commit`,
    ///         also a repeat (a repeat of a revealable commitment changes nothing: `_timePoint` stays the first
    ///         commit's time; a repeat of an expired one restarts it). `_extraData` is empty.
    event Commit(uint256 indexed _timePoint, address indexed _from, bytes32 indexed _commitment, bytes _extraData);
    /// @notice `endorser` vouched `claim` at `endorsedAt` for the record of `contentHash` by `creator` registered at
    ///         `registeredAt`; after a takeover it is about the old record, not the current one.
    event Endorsed(
        bytes32 indexed contentHash,
        address indexed endorser,
        bytes32 indexed claim,
        address creator,
        uint64 registeredAt,
        uint64 endorsedAt
    );
    /// @notice `endorser` withdrew `claim` for the record of `contentHash` registered at `registeredAt`.
    event EndorsementRevoked(
        bytes32 indexed contentHash, address indexed endorser, bytes32 indexed claim, uint64 registeredAt
    );
    /// @notice A signed request of `owner` used its nonce `nonce` (the next one is `nonce + 1`).
    event NonceUsed(address indexed owner, uint256 nonce);
    /// @notice `owner` invalidated its nonces `fromNonce` to `toNonce - 1`; its next nonce is `toNonce`.
    event NoncesInvalidated(address indexed owner, uint256 fromNonce, uint256 toNonce);

    /// @notice The zero hash cannot be registered.
    error ZeroContentHash();
    /// @notice `kind` is not a `Kind`.
    error InvalidKind(uint8 kind);
    /// @notice `origin` is not an `Origin`.
    error InvalidOrigin(uint8 origin);
    /// @notice The hash is already registered by `creator` at `registeredAt`.
    error AlreadyRegistered(bytes32 contentHash, address creator, uint64 registeredAt);
    /// @notice The hash is not registered.
    error NotRegistered(bytes32 contentHash);
    /// @notice More than `max` parents.
    error TooManyParents(uint256 count, uint256 max);
    /// @notice `parent` appears twice in the parent list.
    error DuplicateParent(bytes32 parent);
    /// @notice `parent` is not registered.
    error UnknownParent(bytes32 parent);
    /// @notice `parent` is revoked and cannot be derived from.
    error RevokedParent(bytes32 parent);
    /// @notice A revealed record's parent must be registered no later than the commit: `parent` was registered at
    ///         `parentRegisteredAt`, after `commitTime`.
    error ParentTooRecent(bytes32 parent, uint64 parentRegisteredAt, uint64 commitTime);
    /// @notice Only the record's creator may do this.
    error NotCreator(bytes32 contentHash, address caller, address creator);
    /// @notice The record is already revoked.
    error AlreadyRevoked(bytes32 contentHash);
    /// @notice `creator` revoked its record of `contentHash` at `revokedAt`; it can never hold the hash again.
    error RevokedByCreator(bytes32 contentHash, address creator, uint64 revokedAt);
    /// @notice The signature expired at `deadline`.
    error ExpiredSignature(uint256 deadline);
    /// @notice The signature is not `signer`'s for this request and nonce.
    error InvalidSignature(address signer);
    /// @notice No commitment matches (contentHash, creator, salt).
    error UnknownCommitment(bytes32 commitment);
    /// @notice The commitment can be revealed from `revealableAt` on.
    error CommitmentTooNew(bytes32 commitment, uint64 revealableAt);
    /// @notice The commitment could be revealed until `expiredAt`.
    error CommitmentExpired(bytes32 commitment, uint64 expiredAt);
    /// @notice Constructor commit ages must satisfy 0 <= min <= max and max > 0.
    error InvalidCommitAges(uint64 minCommitAge, uint64 maxCommitAge);
    /// @notice A signed reveal named `signedCommitTime` but `commitment` was committed at `committedAt`.
    error CommitTimeMismatch(bytes32 commitment, uint64 signedCommitTime, uint64 committedAt);
    /// @notice `invalidateNonces` must raise the nonce from `currentNonce` by 1 to `maxJump` (`newNonce` does not).
    error InvalidNonceJump(uint256 currentNonce, uint256 newNonce, uint256 maxJump);
    /// @notice The zero claim cannot be endorsed.
    error ZeroClaim();
    /// @notice `endorser` already endorses `claim` for the current record of `contentHash`.
    error AlreadyEndorsed(bytes32 contentHash, address endorser, bytes32 claim);
    /// @notice `endorser` does not endorse `claim` for the current record of `contentHash`.
    error NotEndorsed(bytes32 contentHash, address endorser, bytes32 claim);
    /// @notice The request named another record of `contentHash`; the current one is `creator`'s at `registeredAt`.
    error RecordChanged(bytes32 contentHash, address creator, uint64 registeredAt);
    /// @notice Batch arrays must be empty or as long as `contentHashes` (`items`).
    error BatchLengthMismatch(uint256 items, uint256 manifests, uint256 parentLists);

    /// @notice Registers `contentHash` with `msg.sender` as creator and the current time.
    /// @param contentHash SHA-256 of the content (non-zero, not yet registered).
    /// @param kind A `Kind` as uint8.
    /// @param origin An `Origin` as uint8.
    /// @param manifestHash Hash of an off-chain manifest, or zero.
    /// @param parents At most 16 distinct registered, unrevoked hashes this content derives from.
    function register(bytes32 contentHash, uint8 kind, uint8 origin, bytes32 manifestHash, bytes32[] calldata parents)
        external;

    /// @notice Registers many hashes with `msg.sender` as creator, one kind and origin; all or nothing.
    /// @param manifestHashes Empty (no manifests) or one per item (zero for none).
    /// @param parents Empty (no parents) or one list per item; an item may derive from earlier items of the batch.
    function registerBatch(
        bytes32[] calldata contentHashes,
        uint8 kind,
        uint8 origin,
        bytes32[] calldata manifestHashes,
        bytes32[][] calldata parents
    ) external;

    /// @notice Registers on behalf of `creator`, who signed the EIP-712 `Register` struct with their current nonce.
    /// @dev Anyone may relay. The relayer learns the hash before it is on chain and could commit it first and take
    ///      the record over by reveal: a creator who does not trust its relayer uses `commit` + `revealBySig`.
    ///      Uses the nonce (`NonceUsed`).
    function registerBySig(
        address creator,
        bytes32 contentHash,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] calldata parents,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice ERC-5732: records the first time `commitment = commitmentOf(contentHash, creator, salt)` was seen.
    ///         Anyone may send it (a relayer for a gasless creator: the commitment binds the creator and hides the
    ///         hash). A repeat while the commitment can still be revealed changes nothing and never reverts; a repeat
    ///         after it expired (`now > commitTime + maxCommitAge`) restarts its time, as a first commit.
    function commit(bytes32 commitment) external;

    /// @notice Registers a hash `msg.sender` committed to, with the commit time as `registeredAt`.
    /// @dev Allowed while `commitTime + minCommitAge <= now <= commitTime + maxCommitAge`. Every parent must have
    ///      been registered no later than the commit time. If the hash was registered meanwhile with a strictly
    ///      later `registeredAt`, the whole record is replaced (`Superseded`), also when its creator is the revealer
    ///      (a self-takeover: the record moves back to the earlier commit time); the revealer must never have
    ///      revoked the hash (`RevokedByCreator`), so a revocation stays final.
    function reveal(
        bytes32 contentHash,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] calldata parents,
        bytes32 salt
    ) external;

    /// @notice `reveal` for `creator`, authorized by its EIP-712 `Reveal` signature; anyone may relay, the record is
    ///         always `creator`'s.
    /// @dev The signature names `committedAt`, the commitment's time on chain (else `CommitTimeMismatch`), and has
    ///      no nonce and no deadline. So the creator can sign only after its commitment is on chain: a relayer that
    ///      withheld the commit never saw the hash, and one that learns it from the signature can only commit later
    ///      than the creator. The signature is single-use (the commitment is consumed; a re-commit has another time),
    ///      never blocks other signed requests, and anyone may relay it while the commitment can be revealed
    ///      (`committedAt + minCommitAge <= now <= committedAt + maxCommitAge`): if the relayer withholds it, the
    ///      creator (or anyone) relays it within that window. Precondition left to the creator: the reveal must land
    ///      by `committedAt + maxCommitAge`, or a commit the relayer made after learning the hash can become the
    ///      record.
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
    ) external;

    /// @notice The creator marks its record revoked: once, finally; it keeps no way back to an unrevoked record.
    function revoke(bytes32 contentHash) external;

    /// @notice `revoke` by `creator`'s EIP-712 `Revoke` signature, which names the record (`registeredAt`); reverts
    ///         `RecordChanged` if the hash's record is no longer that one. Anyone may relay; uses the nonce.
    function revokeBySig(
        address creator,
        bytes32 contentHash,
        uint64 registeredAt,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `msg.sender` vouches `claim` (e.g. keccak256("human-made")) for the record of `contentHash` by
    ///         `creator` registered at `registeredAt`, which must be the current record (else `RecordChanged`, so a
    ///         takeover landing first cannot redirect the endorsement).
    function endorse(bytes32 contentHash, address creator, uint64 registeredAt, bytes32 claim) external;

    /// @notice `endorse` by `endorser`'s EIP-712 `Endorse` signature, which names the record (`creator`,
    ///         `registeredAt`); reverts `RecordChanged` if the hash's record is no longer that one.
    function endorseBySig(
        address endorser,
        bytes32 contentHash,
        address creator,
        uint64 registeredAt,
        bytes32 claim,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `msg.sender` withdraws its endorsement of the record of `contentHash` registered at `registeredAt`
    ///         (the current record or one replaced by a takeover).
    function revokeEndorsement(bytes32 contentHash, uint64 registeredAt, bytes32 claim) external;

    /// @notice Raises `msg.sender`'s nonce to `newNonce`, invalidating every signed request with a nonce below it
    ///         (monotonic: `newNonce` must exceed the current nonce by 1 to `MAX_NONCE_JUMP`; `NoncesInvalidated`).
    ///         A relayer that front-runs it can only use requests the signer had already handed out.
    function invalidateNonces(uint256 newNonce) external;

    /// @notice The current record of `contentHash`; reverts `NotRegistered` for an unknown hash.
    function getRecord(bytes32 contentHash) external view returns (Record memory);

    /// @notice The parents of the current record; reverts `NotRegistered` for an unknown hash.
    function parentsOf(bytes32 contentHash) external view returns (bytes32[] memory);

    /// @notice Whether `contentHash` is registered (revoked records are still registered).
    function isRegistered(bytes32 contentHash) external view returns (bool);

    /// @notice When the current record was revoked, 0 if it is not; reverts `NotRegistered` for an unknown hash.
    function revokedAt(bytes32 contentHash) external view returns (uint64);

    /// @notice The last second at which a reveal could still replace the current record
    ///         (`registeredAt + maxCommitAge - 1`); reverts `NotRegistered` for an unknown hash.
    function contestableUntil(bytes32 contentHash) external view returns (uint64);

    /// @notice Whether no reveal can ever replace the current record; reverts `NotRegistered` for an unknown hash.
    function isFinal(bytes32 contentHash) external view returns (bool);

    /// @notice When `endorser` endorsed `claim` for the current record; 0 for never, withdrawn, or an endorsement
    ///         of an earlier record; reverts `NotRegistered` for an unknown hash.
    function endorsedAt(bytes32 contentHash, address endorser, bytes32 claim) external view returns (uint64);

    /// @notice Endorsement history: when `endorser` endorsed `claim` for the record of `contentHash` registered at
    ///         `registeredAt` (current or replaced); 0 for never or withdrawn.
    function endorsementAt(bytes32 contentHash, uint64 registeredAt, address endorser, bytes32 claim)
        external
        view
        returns (uint64);

    /// @notice When `commitment` was committed; 0 when unknown or already revealed.
    function commitTime(bytes32 commitment) external view returns (uint64);

    /// @notice The commitment for `contentHash`, `creator` and `salt`: keccak256(abi.encode(...)).
    function commitmentOf(bytes32 contentHash, address creator, bytes32 salt) external pure returns (bytes32);

    /// @notice The current signature nonce of `owner` (shared by `Register`, `Revoke` and `Endorse`).
    function nonces(address owner) external view returns (uint256);

    /// @notice Minimum age of a commitment before it can be revealed, in seconds.
    function minCommitAge() external view returns (uint64);

    /// @notice Maximum age of a commitment at reveal, in seconds.
    function maxCommitAge() external view returns (uint64);
}
