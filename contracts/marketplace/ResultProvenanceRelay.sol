// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IComputeMarketplace} from "./interfaces/IComputeMarketplace.sol";
import {IProvenanceRegistry} from "../provenance/interfaces/IProvenanceRegistry.sol";

/// @title ResultProvenanceRelay
/// @notice A lease's provider submits its result to the marketplace and registers it in the provenance registry in
///         one transaction: the marketplace records the result (`submitResultFor`, callable only by this relay, for
///         this relay's caller) and the registry records the provider (not this relay, not the marketplace) as the
///         creator, origin AIGenerated and the offer's spec hash (its model) as the parent, by the provider's own
///         EIP-712 `Register` signature (`registerBySig`). No owner, no state: both addresses are fixed at deployment.
/// @dev A separate contract because the marketplace's creation code (which embeds its ProviderRegistry's and its
///      disputes module's) is within a few hundred bytes of EIP-3860's 49,152-byte limit: the marketplace only
///      trusts this relay's address (an immutable it was built with, this relay's predicted address).
///      Rules:
///      - Only the lease's provider: the marketplace checks that this relay's caller is the lease's provider.
///      - The signature binds every field the registry stores (creator, hash, kind, origin, manifest, parents) and the
///        provider's registry nonce. A copier who relays it to the registry first creates exactly the requested
///        record; the submission then links that record instead of failing. A record of the hash by anyone else, or
///        one of the provider's that differs (kind, origin, manifest, parents) or is revoked, is never linked: the
///        submission reverts with the registry's error and changes nothing (the provider can still `submitResult`).
///      - No exit of a lease calls this relay or the registry.
contract ResultProvenanceRelay {
    /// @notice The marketplace whose results this relay submits.
    IComputeMarketplace public immutable market;
    /// @notice The provenance registry results are registered in.
    IProvenanceRegistry public immutable registry;

    /// @notice The result `resultHash` of lease `leaseId` (on `market`) is `provider`'s record in `registry`, the one
    ///         registered at `registeredAt` (a record is (hash, registeredAt)): origin AIGenerated, the offer's spec
    ///         hash (if any) as its parent. The marketplace's `ResultSubmitted` and the registry's `Registered` (unless
    ///         the record existed) are in the same transaction. From a record to its lease: filter this event by
    ///         `resultHash`; from a lease to its record: filter it by `leaseId`.
    event ResultRegistered(
        uint256 indexed leaseId, bytes32 indexed resultHash, address indexed provider, uint64 registeredAt
    );

    /// @notice A zero address at construction.
    error InvalidParameter();

    /// @param market_ The marketplace (its predicted address when deployed before it).
    /// @param registry_ The ProvenanceRegistry.
    constructor(IComputeMarketplace market_, IProvenanceRegistry registry_) {
        if (address(market_) == address(0) || address(registry_).code.length == 0) revert InvalidParameter();
        market = market_;
        registry = registry_;
    }

    /// @notice The caller, a lease's provider, submits `resultHash` as the lease's result (the marketplace's
    ///         `submitResult` rules: Active or Disputed lease, once, non-zero) and registers it with its EIP-712
    ///         `Register` signature over: creator the caller, contentHash `resultHash`, `kind`, origin AIGenerated (2),
    ///         `manifestHash`, parents `[specHash]` of the lease's offer (`[]` when it is zero; the spec must then be a
    ///         registered, unrevoked record), the caller's current registry nonce (`registry.nonces`) and `deadline`.
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
        bytes32 spec = market.submitResultFor(leaseId, resultHash, msg.sender);
        bytes32[] memory parents = new bytes32[](spec == bytes32(0) ? 0 : 1);
        if (spec != bytes32(0)) parents[0] = spec;
        uint8 origin = uint8(IProvenanceRegistry.Origin.AIGenerated);
        try registry.registerBySig(msg.sender, resultHash, kind, origin, manifestHash, parents, deadline, signature) {
            registeredAt = uint64(block.timestamp);
        } catch (bytes memory reason) {
            registeredAt = _sameRecordAt(resultHash, kind, origin, manifestHash, parents, reason);
        }
        emit ResultRegistered(leaseId, resultHash, msg.sender, registeredAt);
    }

    /// @dev After a failed registration: the time of the caller's unrevoked record of `resultHash` if it is exactly the
    ///      requested one (a copier relayed the signature first, or the provider registered the same record itself);
    ///      otherwise reverts with the registry's `reason`.
    function _sameRecordAt(
        bytes32 resultHash,
        uint8 kind,
        uint8 origin,
        bytes32 manifestHash,
        bytes32[] memory parents,
        bytes memory reason
    ) private view returns (uint64) {
        if (registry.isRegistered(resultHash)) {
            IProvenanceRegistry.Record memory record = registry.getRecord(resultHash);
            if (
                record.creator == msg.sender && !record.revoked && record.kind == kind && record.origin == origin
                    && record.manifestHash == manifestHash
                    && keccak256(abi.encode(registry.parentsOf(resultHash))) == keccak256(abi.encode(parents))
            ) return record.registeredAt;
        }
        assembly ("memory-safe") {
            revert(add(reason, 0x20), mload(reason))
        }
    }
}
