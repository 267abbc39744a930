// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IComputeMarketplace} from "./interfaces/IComputeMarketplace.sol";
import {IProvenanceRegistry} from "../provenance/interfaces/IProvenanceRegistry.sol";

/// @title ResultProvenanceRelay
/// @notice A lease's provider submits its result to the marketplace and registers it in the provenance registry in
///         one transaction: the marketplace records the result (`submitResultFor`, callable only by this relay, for
///         this relay's caller) and the registry records the provider (not this relay, not the marketplace) as the
///         creator, origin AIGenerated and the offer's spec hash as the only parent. The spec hash must then be a
///         registered, unrevoked record (the model the offer names): if its creator revokes it, every relayed
///         submission for that offer reverts `RevokedParent` (an offer's spec cannot change; the plain
///         `submitResult` still works). No owner, no state: both addresses are fixed at deployment.
///         Two paths:
///         - `submitResultWithRevealedProvenance` (front-running safe): the provider first commits
///           `commitmentOf(resultHash, provider, salt)` in the registry (only the commitment is public), then, at
///           least `minCommitAge` later, submits with its EIP-712 `Reveal` signature naming the commit's time. The
///           record is (provider, committedAt). Whoever copies the hash from the pending transaction can only commit
///           later, so can neither take the record over nor block it (a record the copier registers first is taken
///           over by this reveal); no registry nonce is used, so one failed submission never invalidates another's
///           signature.
///         - `submitResultWithProvenance` (simple, front-runnable): the provider's EIP-712 `Register` signature
///           (`registerBySig`), no prior commit. The result hash is plain calldata in the public mempool: a copier
///           who registers it first makes this submission revert `AlreadyRegistered` naming the copier (the provider
///           then keeps the hash only if it committed earlier: reveal path), and a copier who commits it before the
///           submission lands can take the record over by revealing within `maxCommitAge`; the relay's
///           `ResultRegistered` keeps (provider, registeredAt), so a reader compares it with the registry's current
///           record. Signatures use the provider's registry nonces in order: if one submission fails, the next
///           signed nonce is invalid and must be re-signed.
/// @dev A separate contract because the marketplace's deployment initcode (creation code, which embeds its
///      ProviderRegistry's and its disputes module's, plus constructor arguments) is within about a hundred bytes of
///      EIP-3860's 49,152-byte limit (tests/toolchain/test_contract_size.py guards it): the marketplace only trusts
///      this relay's address (an immutable it was built with, this relay's predicted address).
///      Rules:
///      - Only the lease's provider: the marketplace checks that this relay's caller is the lease's provider.
///      - A signature binds every field the registry stores (creator, hash, kind, origin, manifest, parents) and the
///        provider's registry nonce (`Register`) or its commit's time (`Reveal`). A copier who relays it to the
///        registry first creates exactly the requested record; the submission then links that record.
///      - When the registry refuses the registration (any reason, including a signature it rejects), the submission
///        links only the caller's own unrevoked record of the hash with exactly the requested kind, origin, manifest
///        and parents registered at or after the lease's start: one the caller could have registered itself
///        (`register`) during the lease. Anything else reverts, with `RecordPredatesLease` for an older record and
///        otherwise the registry's error, and changes nothing (the provider can still `submitResult`). One record
///        may be linked to several leases of its provider that started no later than it (identical outputs).
///      - No exit of a lease calls this relay or the registry.
contract ResultProvenanceRelay {
    /// @notice The marketplace whose results this relay submits.
    IComputeMarketplace public immutable market;
    /// @notice The provenance registry results are registered in.
    IProvenanceRegistry public immutable registry;

    /// @notice The result `resultHash` of lease `leaseId` (on `market`) is `provider`'s record in `registry`, the one
    ///         registered at `registeredAt` (a record is (hash, registeredAt); never before the lease's start):
    ///         origin AIGenerated, the offer's spec hash (if any) as its parent. The marketplace's `ResultSubmitted`
    ///         and the registry's `Registered` (unless the record existed) are in the same transaction. From a record
    ///         to its lease: filter this event by `resultHash`; from a lease to its record: filter it by `leaseId`.
    ///         The registry's record of the hash can change later (a takeover by an earlier commit, the provider's
    ///         own included): compare (provider, registeredAt) with `registry.getRecord` before trusting the link.
    event ResultRegistered(
        uint256 indexed leaseId, bytes32 indexed resultHash, address indexed provider, uint64 registeredAt
    );

    /// @notice A zero marketplace address, or a registry address without code, at construction.
    error InvalidParameter();
    /// @notice The record of `resultHash` (registered at `registeredAt`) is older than lease `leaseId`'s start.
    error RecordPredatesLease(uint256 leaseId, bytes32 resultHash, uint64 registeredAt, uint64 leaseStart);

    /// @param market_ The marketplace (its predicted address when deployed before it).
    /// @param registry_ The ProvenanceRegistry.
    constructor(IComputeMarketplace market_, IProvenanceRegistry registry_) {
        if (address(market_) == address(0) || address(registry_).code.length == 0) revert InvalidParameter();
        market = market_;
        registry = registry_;
    }

    /// @notice Front-runnable path (see the contract's notice). The caller, a lease's provider, submits `resultHash`
    ///         as the lease's result (the marketplace's `submitResult` rules: Active or Disputed lease, once,
    ///         non-zero) and registers it with its EIP-712 `Register` signature over: creator the caller, contentHash
    ///         `resultHash`, `kind`, origin AIGenerated (2), `manifestHash`, parents `[specHash]` of the lease's offer
    ///         (`[]` when it is zero), the caller's current registry nonce (`registry.nonces`) and `deadline`.
    ///         Any signature the registry accepts (65-byte ECDSA, ERC-1271 for contract wallets).
    /// @return registeredAt The linked record's registration time.
    function submitResultWithProvenance(
        uint256 leaseId,
        bytes32 resultHash,
        uint8 kind,
        bytes32 manifestHash,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint64 registeredAt) {
        (bytes32[] memory parents, uint64 start) = _submit(leaseId, resultHash);
        uint8 origin = uint8(IProvenanceRegistry.Origin.AIGenerated);
        try registry.registerBySig(msg.sender, resultHash, kind, origin, manifestHash, parents, deadline, signature) {
            registeredAt = uint64(block.timestamp);
        } catch (bytes memory reason) {
            registeredAt = _sameRecordAt(leaseId, resultHash, kind, manifestHash, parents, start, reason);
        }
        emit ResultRegistered(leaseId, resultHash, msg.sender, registeredAt);
    }

    /// @notice Front-running-safe path (see the contract's notice). As `submitResultWithProvenance`, but registers by
    ///         revealing the caller's commitment `registry.commitmentOf(resultHash, caller, salt)`, committed at
    ///         `committedAt` (no earlier than the lease's start, at least `registry.minCommitAge` and at most
    ///         `registry.maxCommitAge` ago), with its EIP-712 `Reveal` signature over: creator the caller,
    ///         `resultHash`, `kind`, origin AIGenerated (2), `manifestHash`, parents `[specHash]` (`[]` when zero),
    ///         `salt` and `committedAt` (no nonce, no deadline). The record's time is `committedAt`; a record of the
    ///         hash registered later by anyone is taken over (the registry's `Superseded`).
    /// @return registeredAt The linked record's registration time (`committedAt` unless an identical own record of
    ///         the caller registered during the lease is linked).
    function submitResultWithRevealedProvenance(
        uint256 leaseId,
        bytes32 resultHash,
        uint8 kind,
        bytes32 manifestHash,
        bytes32 salt,
        uint64 committedAt,
        bytes calldata signature
    ) external returns (uint64 registeredAt) {
        (bytes32[] memory parents, uint64 start) = _submit(leaseId, resultHash);
        if (committedAt < start) revert RecordPredatesLease(leaseId, resultHash, committedAt, start);
        uint8 origin = uint8(IProvenanceRegistry.Origin.AIGenerated);
        try registry.revealBySig(
            msg.sender, resultHash, kind, origin, manifestHash, parents, salt, committedAt, signature
        ) {
            registeredAt = committedAt;
        } catch (bytes memory reason) {
            registeredAt = _sameRecordAt(leaseId, resultHash, kind, manifestHash, parents, start, reason);
        }
        emit ResultRegistered(leaseId, resultHash, msg.sender, registeredAt);
    }

    /// @dev Submits the result for the caller; returns the parents (`[specHash]`, or `[]` for a zero spec) and the
    ///      lease's start.
    function _submit(uint256 leaseId, bytes32 resultHash) private returns (bytes32[] memory parents, uint64 start) {
        bytes32 spec;
        (spec, start) = market.submitResultFor(leaseId, resultHash, msg.sender);
        parents = new bytes32[](spec == bytes32(0) ? 0 : 1);
        if (spec != bytes32(0)) parents[0] = spec;
    }

    /// @dev After a failed registration: the time of the caller's unrevoked record of `resultHash` if it is exactly the
    ///      requested one (a copier relayed the signature first, or the provider registered the same record itself)
    ///      and registered no earlier than the lease's `start` (`RecordPredatesLease` otherwise); otherwise reverts
    ///      with the registry's `reason`.
    function _sameRecordAt(
        uint256 leaseId,
        bytes32 resultHash,
        uint8 kind,
        bytes32 manifestHash,
        bytes32[] memory parents,
        uint64 start,
        bytes memory reason
    ) private view returns (uint64) {
        if (registry.isRegistered(resultHash)) {
            IProvenanceRegistry.Record memory record = registry.getRecord(resultHash);
            if (
                record.creator == msg.sender && !record.revoked && record.kind == kind
                    && record.origin == uint8(IProvenanceRegistry.Origin.AIGenerated)
                    && record.manifestHash == manifestHash
                    && keccak256(abi.encode(registry.parentsOf(resultHash))) == keccak256(abi.encode(parents))
            ) {
                if (record.registeredAt < start) {
                    revert RecordPredatesLease(leaseId, resultHash, record.registeredAt, start);
                }
                return record.registeredAt;
            }
        }
        assembly ("memory-safe") {
            revert(add(reason, 0x20), mload(reason))
        }
    }
}
