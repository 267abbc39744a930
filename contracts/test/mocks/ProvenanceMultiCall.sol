// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ProvenanceMultiCall
/// @notice Test double: makes several calls to one target in a single transaction (it is `msg.sender` of each), so
///         tests can check that an indexer applies one receipt's events in log order.
contract ProvenanceMultiCall {
    /// @notice The contract every call goes to.
    address public immutable target;

    /// @notice Same signature as the registry's `EndorsementRevoked`, emitted by this contract instead: an indexer
    ///         must ignore it (only the registry's own logs count).
    event EndorsementRevoked(
        bytes32 indexed contentHash, address indexed endorser, bytes32 indexed claim, uint64 registeredAt
    );

    /// @param target_ The contract to call (a ProvenanceRegistry).
    constructor(address target_) {
        target = target_;
    }

    /// @notice Calls `target` with each of `calls` in order; any failure reverts the whole transaction with the
    ///         callee's revert data.
    function run(bytes[] calldata calls) external {
        for (uint256 i = 0; i < calls.length; ++i) {
            (bool ok, bytes memory data) = target.call(calls[i]);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(data, 32), mload(data))
                }
            }
        }
    }

    /// @notice Runs `calls` like `run`, then emits a look-alike `EndorsementRevoked` for `contentHash`, `endorser`
    ///         and `claim` from this contract, in the same transaction.
    function runThenForge(bytes[] calldata calls, bytes32 contentHash, address endorser, bytes32 claim, uint64 at)
        external
    {
        this.run(calls);
        emit EndorsementRevoked(contentHash, endorser, claim, at);
    }
}
