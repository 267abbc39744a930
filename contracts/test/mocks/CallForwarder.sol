// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title CallForwarder
/// @notice Test double: a contract caller. Forwards any call and bubbles up its revert data unchanged, so a test
///         can tell `msg.sender` (this contract) from `tx.origin` (the account that called it) in an error.
contract CallForwarder {
    /// @notice Calls `target` with `data` and returns what it returned; reverts with the callee's revert data.
    /// @param target The contract to call.
    /// @param data The calldata.
    /// @return result The callee's return data.
    function forward(address target, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
