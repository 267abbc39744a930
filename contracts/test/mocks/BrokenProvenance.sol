// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title BrokenProvenance
/// @notice Test double: a provenance registry that refuses every call, so the tests show a failing registry blocks
///         only the relayed result registration, never a lease's exits.
contract BrokenProvenance {
    /// @notice Every call reverts with this.
    error Broken();

    fallback() external {
        revert Broken();
    }
}
