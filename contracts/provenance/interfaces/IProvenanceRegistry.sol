// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProvenanceRegistry
/// @notice First-seen provenance for content hashes (files, models, datasets, prompts): who registered a hash
///         first and when, what it was derived from, who vouches for it. Records are never deleted or edited;
///         the only change to a record's creator and time is a takeover by an earlier commit (see `reveal`).
/// @dev By convention `contentHash` is the SHA-256 of the file's bytes, as in C2PA hard bindings and ANS-112.
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

    /// @notice `contentHash` was registered (directly, by signature, or by reveal) by `creator`.
    event Registered(
        bytes32 indexed contentHash, address indexed creator, uint8 kind, uint8 origin, bytes32 manifestHash, bytes32[] parents
    );
    /// @notice The creator revoked `contentHash`; the record stays.
    event Revoked(bytes32 indexed contentHash, address indexed creator);
    /// @notice `committer` committed `commitment` (first time only).
    event Committed(bytes32 indexed commitment, address indexed committer);
    /// @notice A reveal with an earlier commit took the record of `contentHash` over from `previousCreator`.
    event Superseded(bytes32 indexed contentHash, address indexed previousCreator, address indexed newCreator);
    /// @notice `endorser` vouched `claim` for `contentHash`.
    event Endorsed(bytes32 indexed contentHash, address indexed endorser, bytes32 indexed claim);
    /// @notice `endorser` withdrew `claim` for `contentHash`.
    event EndorsementRevoked(bytes32 indexed contentHash, address indexed endorser, bytes32 indexed claim);

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
    /// @notice The signature expired at `deadline`.
    error ExpiredSignature(uint256 deadline);
    /// @notice The signature is not `creator`'s for this request and nonce.
    error InvalidSignature(address creator);
    /// @notice The commitment already exists (commit time `committedAt`); commits never reset.
    error AlreadyCommitted(bytes32 commitment, uint64 committedAt);
    /// @notice No commitment matches (contentHash, caller, salt).
    error UnknownCommitment(bytes32 commitment);
    /// @notice The commitment can be revealed from `revealableAt` on.
    error CommitmentTooNew(bytes32 commitment, uint64 revealableAt);
    /// @notice The commitment could be revealed until `expiredAt`.
    error CommitmentExpired(bytes32 commitment, uint64 expiredAt);
    /// @notice Constructor commit ages must satisfy 0 <= min <= max and max > 0.
    error InvalidCommitAges(uint64 minCommitAge, uint64 maxCommitAge);
    /// @notice The zero claim cannot be endorsed.
    error ZeroClaim();
    /// @notice `endorser` already endorses `claim` for `contentHash`.
    error AlreadyEndorsed(bytes32 contentHash, address endorser, bytes32 claim);
    /// @notice `endorser` does not endorse `claim` for `contentHash`.
    error NotEndorsed(bytes32 contentHash, address endorser, bytes32 claim);

    /// @notice Registers `contentHash` with `msg.sender` as creator and the current time.
    /// @param contentHash SHA-256 of the content (non-zero, not yet registered).
    /// @param kind A `Kind` as uint8.
    /// @param origin An `Origin` as uint8.
    /// @param manifestHash Hash of an off-chain manifest, or zero.
    /// @param parents At most 16 distinct registered, unrevoked hashes this content derives from.
    function register(bytes32 contentHash, uint8 kind, uint8 origin, bytes32 manifestHash, bytes32[] calldata parents)
        external;

    /// @notice Registers many hashes with `msg.sender` as creator, no parents and no manifest; all or nothing.
    function registerBatch(bytes32[] calldata contentHashes, uint8 kind, uint8 origin) external;

    /// @notice Registers on behalf of `creator`, who signed the EIP-712 `Register` struct with their current nonce.
    /// @dev Anyone may relay. Accepts EOA signatures (low-s only) and ERC-1271 contract wallets. Valid while
    ///      `block.timestamp <= deadline`; the nonce makes a signature usable once.
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

    /// @notice Records the first time `commitment = keccak256(abi.encode(contentHash, committer, salt))` was seen.
    /// @dev Committing an existing commitment reverts: its time is never reset or extended.
    function commit(bytes32 commitment) external;

    /// @notice Registers a committed hash with the commit time as `registeredAt`.
    /// @dev Allowed while `commitTime + minCommitAge <= now <= commitTime + maxCommitAge`. Every parent must have
    ///      been registered no later than the commit time. If the hash was registered meanwhile with a strictly later
    ///      `registeredAt`, the whole record becomes the revealer's (a revocation does not carry over) and
    ///      `Superseded` is emitted; otherwise the reveal reverts. A direct registration is therefore final once
    ///      `maxCommitAge` has passed, and a creator who commits first never loses the hash to a mempool copier.
    function reveal(
        bytes32 contentHash,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] calldata parents,
        bytes32 salt
    ) external;

    /// @notice The creator marks the record revoked: once, irreversibly; nothing else changes.
    function revoke(bytes32 contentHash) external;

    /// @notice `msg.sender` vouches `claim` (e.g. keccak256("human-made")) for a registered hash.
    function endorse(bytes32 contentHash, bytes32 claim) external;

    /// @notice `msg.sender` withdraws an endorsement.
    function revokeEndorsement(bytes32 contentHash, bytes32 claim) external;

    /// @notice The record of `contentHash` (all zero when unregistered).
    function getRecord(bytes32 contentHash) external view returns (Record memory);

    /// @notice The parents of `contentHash`.
    function parentsOf(bytes32 contentHash) external view returns (bytes32[] memory);

    /// @notice Whether `contentHash` is registered (revoked records are still registered).
    function isRegistered(bytes32 contentHash) external view returns (bool);

    /// @notice When `endorser` endorsed `claim` for `contentHash`; 0 for never or withdrawn.
    function endorsedAt(bytes32 contentHash, address endorser, bytes32 claim) external view returns (uint64);

    /// @notice When `commitment` was committed; 0 when unknown or already revealed.
    function commitTime(bytes32 commitment) external view returns (uint64);

    /// @notice The commitment for `contentHash`, `committer` and `salt`.
    function commitmentOf(bytes32 contentHash, address committer, bytes32 salt) external pure returns (bytes32);

    /// @notice The current signature nonce of `owner`.
    function nonces(address owner) external view returns (uint256);

    /// @notice Minimum age of a commitment before it can be revealed, in seconds.
    function minCommitAge() external view returns (uint64);

    /// @notice Maximum age of a commitment at reveal, in seconds.
    function maxCommitAge() external view returns (uint64);
}
